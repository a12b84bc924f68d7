#pragma once
// A service's handlers read and write the values of the protocol they were
// written for (ServiceModel::protocol()): query's timestamps are ISO 8601
// text, JSON's epoch seconds; both carry blobs as base64 text. A request in
// another protocol the model lists (awsJson or CBOR for CloudWatch, CBOR
// for any service whose model names it) is turned into that form here, and
// the answer back into the client's, following the model's shapes.
#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "protocol/service_model.h"

namespace kura {

// The decoded body of a JSON or CBOR request as the handlers read it:
// timestamps in the native form, CBOR byte strings as base64 text, null
// members dropped (and, from CBOR, members the model does not know).
Result<nlohmann::json> wireToNative(const Shape* input, nlohmann::json value, WireProtocol wire, Protocol native);
// A query or ec2 service's output as an awsJson body: the model's members
// only, timestamps as epoch seconds, numbers and booleans as JSON's.
nlohmann::json nativeToJson(const Shape* output, const nlohmann::json& value);

}  // namespace kura
