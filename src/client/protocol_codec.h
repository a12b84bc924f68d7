#pragma once
// What differs between the protocols on the client side: how a call's input
// becomes a request body and headers, and how an answer becomes the output
// or an error. Query (RDS, ElastiCache, CloudWatch): form in, XML out.
// JSON (DynamoDB, KMS, Secrets Manager, CloudTrail, CloudWatch Logs): JSON
// in and out, the operation in X-Amz-Target.
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "client/call_error.h"
#include "client/http_transport.h"
#include "protocol/service_model.h"

namespace kura::client {

// Sets the request's body and its protocol headers (Content-Type, X-Amz-Target).
void encodeCall(const ServiceModel& model, const Operation& operation, const nlohmann::json& input,
                SignableRequest& request);
// The output of a 2xx answer, or the error any other answer (or an
// unreadable one) carries.
std::variant<nlohmann::json, CallError> decodeAnswer(const ServiceModel& model, const Operation& operation,
                                                     const HttpAnswer& answer);

}  // namespace kura::client
