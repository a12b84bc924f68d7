#pragma once
// `kura serve`'s logfmt lines on stderr, through stdio's buffer: spdlog's
// own stderr sink flushes after every line, which cost a write(2) and
// about a tenth of a GetItem's CPU at the default level (a request line
// per call). Flushed as the logger says: at every warning and every
// second (serve_command.cpp), so a SIGKILL loses at most a second of
// info lines, as with `--log-format json` (json_log_sink.h).
#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <mutex>

namespace kura {

class BufferedLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedLogSink(std::FILE* out) : out_(out) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t line;
    formatter_->format(message, line);
    std::fwrite(line.data(), 1, line.size(), out_);
  }
  void flush_() override { std::fflush(out_); }

 private:
  std::FILE* out_;
};

}  // namespace kura
