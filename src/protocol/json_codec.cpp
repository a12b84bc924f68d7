#include "protocol/json_codec.h"

#include <fmt/format.h>

#include "common/json_fast_parse.h"
#include "protocol/json_nesting.h"

namespace kura {

using Json = nlohmann::json;

Result<Json> decodeJsonInput(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Json::object();
  if (!jsonNestsWithin(body)) {
    return ApiError::sender("SerializationException",
                            fmt::format("The request body nests deeper than {} levels.", kMaxJsonDepth));
  }
  // simdjson where it gives nlohmann's value (common/json_fast_parse.h),
  // nlohmann's parser for the rest.
  std::optional<Json> fast = fastParseJson(body);
  Json value = fast ? std::move(*fast) : Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return ApiError::sender("SerializationException", "The request body is not valid JSON (or not valid UTF-8).");
  }
  if (!value.is_object()) {
    return ApiError::sender("SerializationException", "Start of structure or map found where not expected.");
  }
  return value;
}

std::string encodeJsonError(const ServiceModel& model, const ApiError& error) {
  Json body = Json::object();
  if (!error.detailsJson.empty()) {
    Json details = Json::parse(error.detailsJson, nullptr, false);
    if (details.is_object()) body = std::move(details);
  }
  body["__type"] = model.errorNamespace().empty() ? error.code : model.errorNamespace() + "#" + error.code;
  body["message"] = error.message;
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string jsonContentType(const ServiceModel& model) { return "application/x-amz-json-" + model.jsonVersion(); }

}  // namespace kura
