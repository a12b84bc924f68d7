#pragma once
// One API call as a CloudTrail event: who (userIdentity), what (eventSource,
// eventName, requestParameters), where (awsRegion, sourceIPAddress), how it
// ended (responseElements or errorCode/errorMessage), and ids. Secrets in the
// parameters are replaced as CloudTrail does; calls that carry data (DynamoDB
// items, log events, KMS plaintexts) keep only the names of what they acted
// on (trail/trail_payloads.h).
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "services/core/request_context.h"

namespace kura {

// The event as the trail stores it: JSON text, written without building a
// value tree (this runs on every API call).
std::string trailEventText(const RequestContext& context, const nlohmann::json* input, const nlohmann::json* output,
                           const ApiError* error, const std::string& eventId);
// The same text appended to `out` (a buffer the caller reuses).
void appendTrailEventText(std::string& out, const RequestContext& context, const nlohmann::json* input,
                          const nlohmann::json* output, const ApiError* error, const std::string& eventId);
// The same event as a value.
nlohmann::json makeTrailEvent(const RequestContext& context, const nlohmann::json* input,
                              const nlohmann::json* output, const ApiError* error, const std::string& eventId);
bool isReadOnlyOperation(std::string_view operation);

}  // namespace kura
