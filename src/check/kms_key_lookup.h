#pragma once
// What KMS says of a key a resource names (DescribeKey, remembered for the run).
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "check/check_context.h"

namespace kura::check {

// The key's KeyMetadata, or the error that kept it from being read.
std::variant<nlohmann::json, client::CallError> describeKey(CheckContext& context, const std::string& keyId);

}  // namespace kura::check
