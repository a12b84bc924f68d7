#include "services/dynamodb/item_checks.h"

#include "ddb/table_store.h"

#include <string>

namespace kura::ddb {

std::optional<ApiError> validateItem(Json& item, const char* where) {
  if (!item.is_object()) return ApiError::sender("ValidationException", std::string(where) + " must be a map");
  for (auto it = item.begin(); it != item.end(); ++it) {
    if (it.key().empty()) {
      return ApiError::sender("ValidationException",
                              "One or more parameter values were invalid: An attribute name cannot be empty");
    }
    if (auto error = validateValue(it.value(), where)) return error;
  }
  if (itemSize(item) > kMaxItemBytes) {
    return ApiError::sender("ValidationException", "Item size has exceeded the maximum allowed size");
  }
  return std::nullopt;
}

std::optional<ApiError> keyUpdateError(const Json& table, const std::vector<UpdateAction>& actions) {
  for (const auto& action : actions) {
    for (const auto& element : table["KeySchema"]) {
      // A key attribute's own value or a path inside it, as DynamoDB refuses both.
      if (!action.path.empty() && action.path[0].name == element["AttributeName"]) {
        return ApiError::sender("ValidationException",
                                "One or more parameter values were invalid: Cannot update attribute " +
                                    action.path[0].name + ". This attribute is part of the key");
      }
    }
  }
  return std::nullopt;
}

std::string attributeType(const Json& table, const std::string& name) {
  for (const auto& definition : table["AttributeDefinitions"]) {
    if (definition["AttributeName"] == name) return definition["AttributeType"];
  }
  return "";
}

std::optional<ApiError> indexKeyError(const Json& table, const Json& item) {
  for (const IndexDef& index : indexesOf(table)) {
    for (const std::string* name : {&index.hashAttr, &index.rangeAttr}) {
      auto it = name->empty() ? item.end() : item.find(*name);
      if (it == item.end()) continue;
      std::string wanted = attributeType(table, *name), type = typeOf(*it);
      if (type != wanted) {
        return ApiError::sender("ValidationException",
                                "One or more parameter values were invalid: Type mismatch for Index Key " + *name +
                                    " Expected: " + wanted + " Actual: " + type + " IndexName: " + index.name);
      }
      if (it->begin().value().is_string() && it->begin().value().get_ref<const std::string&>().empty()) {
        return ApiError::sender("ValidationException",
                                "One or more parameter values are not valid. A value specified for a secondary "
                                "index key is not supported. The AttributeValue for a key attribute cannot contain "
                                "an empty string value. IndexName: " + index.name + ", IndexKey: " + *name);
      }
    }
  }
  return std::nullopt;
}

std::optional<ApiError> updatedItemError(const Json& table, const Json& item) {
  if (itemSize(item) > kMaxItemBytes) {
    return ApiError::sender("ValidationException", "Item size to update has exceeded the maximum allowed size");
  }
  return indexKeyError(table, item);
}

}  // namespace kura::ddb
