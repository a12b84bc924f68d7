#pragma once
// Checks an operation's input against its model: required members, types,
// enum values, string patterns (model_pattern.h), string lengths, list and
// map sizes, numeric ranges. The
// violations become the protocol's own error (MissingParameter /
// InvalidParameterValue for query services, ValidationException for JSON).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "protocol/service_model.h"

namespace kura {

struct Violation {
  std::string path;        // member path, e.g. tableName or keySchema.1.member.attributeName
  std::string value;       // what was sent, "null" when missing
  std::string constraint;  // "Member must not be null", ...
  bool missing = false;
  bool hidden = false;     // a sensitive member: its value is not shown
};

std::vector<Violation> validateInput(const Shape* input, const nlohmann::json& value);
// DynamoDB's JSON reader takes a boolean member written as a string
// ("true", "false", "yes", "no", "1", "0", in any case) as that boolean;
// this makes `value` say so before it is validated.
void coerceStringBooleans(const Shape* input, nlohmann::json& value);
// The error a service of this protocol answers for the violations (at least one).
ApiError validationError(const std::vector<Violation>& violations, Protocol protocol);

}  // namespace kura
