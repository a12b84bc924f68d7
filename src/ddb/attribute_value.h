#pragma once
// DynamoDB attribute values as the wire has them ({"S": "x"}, {"N": "1"},
// {"M": {...}}, ...), held as JSON: comparison, size, validation, and the
// bytes a key attribute is stored under.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/api_error.h"

namespace kura::ddb {

using Json = nlohmann::json;

// "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"; empty if malformed.
std::string typeOf(const Json& value);
// Checks an attribute value (recursively) and canonicalizes numbers in place.
std::optional<ApiError> validateValue(Json& value, const std::string& where);
bool valuesEqual(const Json& a, const Json& b);
// -1, 0, 1 for values of the same scalar type (S, N, B); empty otherwise.
std::optional<int> compareValues(const Json& a, const Json& b);
// The item size as DynamoDB counts it (names plus values), in bytes.
size_t itemSize(const Json& item);
// A key attribute's stored form: type letter then its bytes (B decoded).
std::string keyBytes(const Json& value);

}  // namespace kura::ddb
