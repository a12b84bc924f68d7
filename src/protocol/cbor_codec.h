#pragma once
// Smithy RPC v2 CBOR: the body is the operation's input structure (or its
// output, or an error) as one CBOR map keyed by member names. Timestamps are
// tag 1 (epoch seconds), blobs byte strings; errors name their shape in
// __type. The answer carries `smithy-protocol: rpc-v2-cbor` and Content-Type
// application/cbor.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "protocol/service_model.h"

namespace kura {

inline constexpr std::string_view kCborContentType = "application/cbor";

// The operation a CBOR request names: the last segment of
// /service/{ServiceName}/operation/{Operation}; empty when the path is not one.
std::string cborOperationName(std::string_view target);
// The body as a value tree (byte strings as binary values, tag 1 dropped:
// its number is the timestamp); an empty body is an empty structure.
Result<nlohmann::json> decodeCborInput(std::string_view body);
// The handler's output for `shape` (null: none) as CBOR, following the
// shape's members only: timestamps (numbers or ISO 8601 text) become tag 1,
// blobs (base64 text) byte strings.
std::string encodeCborOutput(const Shape* shape, const nlohmann::json& value);
// An error: __type (the model's error shape, else the code) and message,
// with any further members the error carries.
std::string encodeCborError(const ServiceModel* model, const ApiError& error);

}  // namespace kura
