#pragma once
#include "api/api_gateway.h"

namespace kura {

// One log line per API call: request id, service, operation, outcome, time.
// Never the input or output: they may hold secrets.
void logRequest(const ApiCallRecord& record);

}  // namespace kura
