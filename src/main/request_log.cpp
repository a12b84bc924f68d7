#include "main/request_log.h"

#include <spdlog/spdlog.h>

namespace kura {
namespace {

// Set once, before the server serves.
std::shared_ptr<spdlog::logger> requestLogger;

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

void setRequestLogger(std::shared_ptr<spdlog::logger> logger) { requestLogger = std::move(logger); }

void logRequest(const ApiCallRecord& record) {
  spdlog::logger& logger = requestLogger != nullptr ? *requestLogger : *spdlog::default_logger_raw();
  if (!logger.should_log(spdlog::level::info)) return;
  const RequestContext& context = *record.context;
  auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - context.receivedAt);
  std::string quotedService, quotedOperation, quotedKey;
  std::string_view service = logfmtValue(context.service, quotedService);
  std::string_view operation = logfmtValue(context.operation, quotedOperation);
  std::string_view accessKey = logfmtValue(context.accessKeyId, quotedKey);
  if (record.error != nullptr) {
    logger.info("msg=request request_id={} service={} op={} access_key={} status={} code={} ms={:.2f}",
                context.requestId, service, operation, accessKey, record.error->httpStatus, record.error->code,
                elapsed.count());
  } else {
    logger.info("msg=request request_id={} service={} op={} access_key={} status=200 ms={:.2f}", context.requestId,
                service, operation, accessKey, elapsed.count());
  }
}

}  // namespace kura
