#include "main/request_log.h"

#include <spdlog/spdlog.h>

namespace kura {

void logRequest(const ApiCallRecord& record) {
  const RequestContext& context = *record.context;
  auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - context.receivedAt);
  if (record.error != nullptr) {
    spdlog::info("msg=request request_id={} service={} op={} access_key={} status={} code={} ms={:.2f}",
                 context.requestId, context.service, context.operation, context.accessKeyId,
                 record.error->httpStatus, record.error->code, elapsed.count());
  } else {
    spdlog::info("msg=request request_id={} service={} op={} access_key={} status=200 ms={:.2f}", context.requestId,
                 context.service, context.operation, context.accessKeyId, elapsed.count());
  }
}

}  // namespace kura
