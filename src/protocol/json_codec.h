#pragma once
// The JSON protocols (awsJson 1.0 and 1.1): the body is the input structure
// itself, the answer the output structure; errors carry __type and message.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "protocol/service_model.h"

namespace kura {

Result<nlohmann::json> decodeJsonInput(std::string_view body);
std::string encodeJsonError(const ServiceModel& model, const ApiError& error);
std::string jsonContentType(const ServiceModel& model);

}  // namespace kura
