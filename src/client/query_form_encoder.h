#pragma once
// The query protocol's request side, as the SDKs write it: an input value
// tree becomes form fields named as the model says, e.g.
//   {"Filters":[{"Name":"engine","Values":["postgres"]}]}
//   -> Filters.Filter.1.Name=engine&Filters.Filter.1.Values.Value.1=postgres
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/service_model.h"

namespace kura::client {

// The whole body: Action, Version, then the input's fields, URL-encoded.
std::string encodeQueryRequest(const ServiceModel& model, const Operation& operation, const nlohmann::json& input);

}  // namespace kura::client
