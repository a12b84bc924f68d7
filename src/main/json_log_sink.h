#pragma once
// `kura serve --log-format json`: each log event as one JSON object on a
// line of stderr, for log shippers that read JSON (journald's, Loki's,
// Elasticsearch's). Kura's messages are logfmt (msg="..." key=value ...):
// each pair becomes a member, beside "time" (UTC, milliseconds) and
// "level"; text that is not logfmt is the "msg". Values stay strings. The
// sink adds nothing to what is logged: what Kura never logs (secrets,
// request bodies) is never in it. Written through a LogLineBuffer: event
// lines at once, request lines gathered (log_line_buffer.h).
#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/log_line_buffer.h"

namespace kura {

// The JSON object of one event, without its line feed.
std::string jsonLogLine(std::string_view time, std::string_view level, std::string_view payload);

class JsonLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  JsonLogSink(std::shared_ptr<LogLineBuffer> out, bool flushEachLine)
      : out_(std::move(out)), flushEachLine_(flushEachLine) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override { out_->flush(); }

 private:
  std::shared_ptr<LogLineBuffer> out_;
  bool flushEachLine_;
};

}  // namespace kura
