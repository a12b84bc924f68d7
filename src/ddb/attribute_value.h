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
// DynamoDB's limit on nested attribute values: an M or L inside 32 others
// is refused with "Nesting Levels have exceeded supported limits". Every
// walker of attribute values (comparison, size, the expression evaluator
// and writer) recurses once per level and relies on it, or on the request
// body's own bound (protocol/json_nesting.h) for values never stored.
inline constexpr int kMaxAttributeNesting = 32;

// Checks an attribute value (recursively, at most kMaxAttributeNesting deep)
// and canonicalizes numbers in place.
std::optional<ApiError> validateValue(Json& value, const std::string& where);
// Whether the value has an M or L nested deeper than kMaxAttributeNesting
// (an update can nest a value under paths of its own).
bool nestsTooDeep(const Json& value);
ApiError nestingTooDeep();
bool valuesEqual(const Json& a, const Json& b);
// -1, 0, 1 for values of the same scalar type (S, N, B); empty otherwise.
std::optional<int> compareValues(const Json& a, const Json& b);
// The bytes a valid base64 text decodes to, without decoding it.
size_t binaryLength(const std::string& base64);
// The item size as DynamoDB counts it (names plus values), in bytes.
size_t itemSize(const Json& item);
// A key attribute's stored form: type letter then its bytes (B decoded).
std::string keyBytes(const Json& value);

}  // namespace kura::ddb
