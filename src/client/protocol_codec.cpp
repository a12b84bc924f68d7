#include "client/protocol_codec.h"

#include <algorithm>
#include <cctype>

#include "client/query_form_encoder.h"
#include "client/xml_answer_decoder.h"
#include "protocol/json_codec.h"
#include "protocol/json_nesting.h"

namespace kura::client {
namespace {

std::string headerValue(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (std::equal(key.begin(), key.end(), name.begin(), name.end(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" or
// "ResourceNotFoundException:http://..." -> "ResourceNotFoundException".
std::string bareCode(std::string code) {
  if (size_t colon = code.find(':'); colon != std::string::npos) code.resize(colon);
  if (size_t hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
  return code;
}

CallError jsonError(const HttpAnswer& answer) {
  CallError error{CallErrorKind::Service, answer.status, {}, {}};
  // An endpoint's answer is held to the nesting the server holds requests
  // to: the copies and dumps that walk it recurse once per level.
  nlohmann::json body =
      jsonNestsWithin(answer.body) ? nlohmann::json::parse(answer.body, nullptr, false) : nlohmann::json();
  if (body.is_object()) {
    if (auto type = body.find("__type"); type != body.end() && type->is_string()) error.code = type->get<std::string>();
    for (const char* key : {"message", "Message"}) {
      if (auto message = body.find(key); message != body.end() && message->is_string()) {
        error.message = message->get<std::string>();
      }
    }
  }
  if (error.code.empty()) error.code = headerValue(answer.headers, "x-amzn-ErrorType");
  error.code = bareCode(error.code);
  return error;
}

CallError queryError(const HttpAnswer& answer) {
  XmlError xml = decodeXmlError(answer.body);
  return CallError{CallErrorKind::Service, answer.status, xml.code, xml.message};
}

}  // namespace

void encodeCall(const ServiceModel& model, const Operation& operation, const nlohmann::json& input,
                SignableRequest& request) {
  request.method = "POST";
  if (model.protocol() == Protocol::Json) {
    request.headers.emplace_back("Content-Type", jsonContentType(model));
    request.headers.emplace_back("X-Amz-Target", model.targetPrefix() + "." + operation.name);
    request.body = input.is_object() ? input.dump() : "{}";
    return;
  }
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = encodeQueryRequest(model, operation, input);
}

std::variant<nlohmann::json, CallError> decodeAnswer(const ServiceModel& model, const Operation& operation,
                                                     const HttpAnswer& answer) {
  bool json = model.protocol() == Protocol::Json;
  if (answer.status < 200 || answer.status >= 300) return json ? jsonError(answer) : queryError(answer);
  if (json) {
    if (answer.body.empty()) return nlohmann::json::object();
    if (!jsonNestsWithin(answer.body)) {
      return CallError{CallErrorKind::Malformed, answer.status, {},
                       "the answer to " + operation.name + " nests deeper than " + std::to_string(kMaxJsonDepth) +
                           " levels"};
    }
    nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
    if (!body.is_object()) {
      return CallError{
          CallErrorKind::Malformed, answer.status, {}, "the answer to " + operation.name + " is not a JSON object"};
    }
    return body;
  }
  auto decoded = decodeQueryAnswer(operation, answer.body);
  if (auto* problem = std::get_if<std::string>(&decoded)) {
    return CallError{CallErrorKind::Malformed, answer.status, {}, operation.name + ": " + *problem};
  }
  return std::get<nlohmann::json>(std::move(decoded));
}

}  // namespace kura::client
