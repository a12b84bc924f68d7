#pragma once
// `kura serve --log-format json`: each log event as one JSON object on a
// line of stderr, for log shippers that read JSON (journald's, Loki's,
// Elasticsearch's). Kura's messages are logfmt (msg="..." key=value ...):
// each pair becomes a member, beside "time" (UTC, milliseconds) and
// "level"; text that is not logfmt is the "msg". Values stay strings. The
// sink adds nothing to what is logged: what Kura never logs (secrets,
// request bodies) is never in it. Written through a LogLineBuffer at once
// (request lines reach the same buffer from main/request_log.cpp,
// gathered: log_line_buffer.h).
#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/log_line_buffer.h"

namespace kura {

// The JSON object of one event, without its line feed.
std::string jsonLogLine(std::string_view time, std::string_view level, std::string_view payload);
// A line's time, "2026-12-06T05:06:47.123Z" (UTC, milliseconds): the JSON
// sink's, and the logfmt pattern's (serve_command.cpp) for request lines.
void appendLogTime(std::string& out, std::chrono::system_clock::time_point at);

class JsonLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  JsonLogSink(std::shared_ptr<LogLineBuffer> out) : out_(std::move(out)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override { out_->flush(); }

 private:
  std::shared_ptr<LogLineBuffer> out_;
};

}  // namespace kura
