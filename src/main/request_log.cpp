#include "main/request_log.h"

#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iterator>

#include "common/log_line_buffer.h"
#include "main/json_log_sink.h"

namespace kura {
namespace {

// Set once, before the server serves.
struct RequestLog {
  std::shared_ptr<LogLineBuffer> out;
  bool json = false;
  bool enabled = false;
};
RequestLog requestLog;

// A field's value as logfmt has it: bare when it holds no space, quote,
// '=' or control character, else quoted with '"' and '\' escaped. The
// service, operation and access key id are what the client named (an X-Amz-Target
// may hold spaces): bare, they could add fields of their own to the line
// (a forged request_id or service, which JSON's log takes as the event's).
std::string_view logfmtValue(std::string_view value, std::string& quoted) {
  bool bare = true;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= ' ' || byte == 0x7f || c == '"' || c == '=' || c == '\\') {
      bare = false;
      break;
    }
  }
  if (bare) return value;
  quoted.clear();
  quoted.reserve(value.size() + 8);
  quoted.push_back('"');
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(byte < ' ' || byte == 0x7f ? '?' : c);
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace

void setRequestLog(std::shared_ptr<LogLineBuffer> out, bool json, bool enabled) {
  requestLog = RequestLog{std::move(out), json, enabled};
}

namespace {

// The payload ("msg=request request_id=..."), then the whole line.
void writeRequestLine(const ApiCallRecord& record) {
  const RequestContext& context = *record.context;
  auto now = std::chrono::system_clock::now();
  auto elapsed = std::chrono::duration<double, std::milli>(now - context.receivedAt);
  std::string quotedService, quotedOperation, quotedKey;
  std::string_view service = logfmtValue(context.service, quotedService);
  std::string_view operation = logfmtValue(context.operation, quotedOperation);
  std::string_view accessKey = logfmtValue(context.accessKeyId, quotedKey);
  thread_local std::string payload;  // reused: no allocation per call
  payload.clear();
  auto to = std::back_inserter(payload);
  if (record.error != nullptr) {
    // The patterns are parsed at build time (FMT_COMPILE), not per call.
    fmt::format_to(to,
                   FMT_COMPILE("msg=request request_id={} service={} op={} access_key={} status={} code={} ms={:.2f}"),
                   context.requestId, service, operation, accessKey, record.error->httpStatus, record.error->code,
                   elapsed.count());
  } else {
    fmt::format_to(to, FMT_COMPILE("msg=request request_id={} service={} op={} access_key={} status=200 ms={:.2f}"),
                   context.requestId, service, operation, accessKey, elapsed.count());
  }
  if (requestLog.out == nullptr) {
    spdlog::info("{}", payload);
    return;
  }
  // The line as the server's event lines are written (serve_command.cpp's
  // pattern, or the JSON sink's object), straight into the buffer that
  // gathers request lines: spdlog's logger and pattern cost a tenth of a
  // GetItem's CPU at the default level.
  thread_local std::string line;
  line.clear();
  if (requestLog.json) {
    std::string time;
    appendLogTime(time, now);
    line = jsonLogLine(time, "info", payload);
  } else {
    line += "time=";
    appendLogTime(line, now);
    line += " level=info ";
    line += payload;
  }
  line += '\n';
  requestLog.out->add(line, false);
}

}  // namespace

void logRequest(const ApiCallRecord& record) {
  if (requestLog.out == nullptr ? !spdlog::default_logger_raw()->should_log(spdlog::level::info)
                                : !requestLog.enabled) {
    return;
  }
  // As spdlog did, a line that cannot be written (no memory) is dropped,
  // never the call's answer.
  try {
    writeRequestLine(record);
  } catch (const std::exception&) {
  }
}

}  // namespace kura
