#pragma once
// `kura serve`'s logfmt lines (time=... level=... msg=... key=value),
// through a LogLineBuffer, written at once (request lines reach the same
// buffer from main/request_log.cpp, gathered: log_line_buffer.h).
#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <string_view>

#include "common/log_line_buffer.h"

namespace kura {

class LogfmtLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LogfmtLogSink(std::shared_ptr<LogLineBuffer> out) : out_(std::move(out)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t line;
    formatter_->format(message, line);
    out_->add(std::string_view(line.data(), line.size()), /*now=*/true);
  }
  void flush_() override { out_->flush(); }

 private:
  std::shared_ptr<LogLineBuffer> out_;
};

}  // namespace kura
