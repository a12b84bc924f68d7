#include "client/query_form_encoder.h"

#include <utility>
#include <vector>

#include "auth/sigv4_verifier.h"

namespace kura::client {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

std::string scalarText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

void encodeValue(const Shape* shape, const nlohmann::json& value, const std::string& prefix, Fields& fields);

std::string joined(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

void encodeList(const Shape* shape, const nlohmann::json& value, const std::string& prefix, Fields& fields) {
  if (!value.is_array()) return;
  if (value.empty()) {
    fields.emplace_back(prefix, "");
    return;
  }
  std::string listPrefix;
  if (shape->flattened) {
    listPrefix = prefix;
    if (!shape->member.locationName.empty()) {
      size_t dot = prefix.rfind('.');
      listPrefix = (dot == std::string::npos ? std::string() : prefix.substr(0, dot + 1)) + shape->member.locationName;
    }
  } else {
    listPrefix = prefix + "." + (shape->member.locationName.empty() ? "member" : shape->member.locationName);
  }
  for (size_t index = 0; index < value.size(); ++index) {
    encodeValue(shape->member.shape, value[index], listPrefix + "." + std::to_string(index + 1), fields);
  }
}

void encodeMap(const Shape* shape, const nlohmann::json& value, const std::string& prefix, Fields& fields) {
  if (!value.is_object()) return;
  std::string entryPrefix = shape->flattened ? prefix : prefix + ".entry";
  std::string keyName = shape->key.locationName.empty() ? "key" : shape->key.locationName;
  std::string valueName = shape->value.locationName.empty() ? "value" : shape->value.locationName;
  size_t index = 0;
  for (const auto& [key, item] : value.items()) {
    std::string itemPrefix = entryPrefix + "." + std::to_string(++index);
    fields.emplace_back(itemPrefix + "." + keyName, key);
    encodeValue(shape->value.shape, item, itemPrefix + "." + valueName, fields);
  }
}

void encodeValue(const Shape* shape, const nlohmann::json& value, const std::string& prefix, Fields& fields) {
  if (shape == nullptr || value.is_null()) return;
  switch (shape->type) {
    case ShapeType::Structure:
      if (!value.is_object()) return;
      for (const MemberRef& member : shape->members) {
        auto it = value.find(member.name);
        if (it == value.end()) continue;
        encodeValue(member.shape, *it, joined(prefix, member.wireName()), fields);
      }
      return;
    case ShapeType::List:
      encodeList(shape, value, prefix, fields);
      return;
    case ShapeType::Map:
      encodeMap(shape, value, prefix, fields);
      return;
    default:
      fields.emplace_back(prefix, scalarText(value));
  }
}

}  // namespace

std::string encodeQueryRequest(const ServiceModel& model, const Operation& operation, const nlohmann::json& input) {
  Fields fields{{"Action", operation.name}, {"Version", model.apiVersion()}};
  encodeValue(operation.input, input, "", fields);
  std::string body;
  for (const auto& [name, value] : fields) {
    if (!body.empty()) body += '&';
    body += auth::uriEncode(name, false);
    body += '=';
    body += auth::uriEncode(value, false);
  }
  return body;
}

}  // namespace kura::client
