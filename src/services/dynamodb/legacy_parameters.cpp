#include "services/dynamodb/legacy_parameters.h"

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "ddb/attribute_value.h"
#include "services/dynamodb/key_paths.h"

namespace kura::ddb {
namespace {

ApiError invalid(const std::string& message) { return ApiError::sender("ValidationException", message); }

// Placeholders the rewritten request adds to its names and values.
class Placeholders {
 public:
  explicit Placeholders(Json& request) : request_(request) {}
  std::string name(const std::string& attribute) {
    std::string key = "#legacy_n" + std::to_string(names_++);
    request_["ExpressionAttributeNames"][key] = attribute;
    return key;
  }
  std::string value(const Json& attributeValue) {
    std::string key = ":legacy_v" + std::to_string(values_++);
    request_["ExpressionAttributeValues"][key] = attributeValue;
    return key;
  }

 private:
  Json& request_;
  int names_ = 0, values_ = 0;
};

// One legacy condition ({ComparisonOperator, AttributeValueList}) on `name`.
// A legacy condition's values, checked as DynamoDB checks them: each value,
// their number for the operator, one type, a type the operator takes, and
// BETWEEN's bounds in order.
std::optional<ApiError> checkComparison(const std::string& op, Json& values) {
  for (Json& value : values) {
    if (auto error = validateValue(value, "AttributeValueList")) return error;
  }
  static const std::map<std::string, std::pair<size_t, size_t>> kCounts = {
      {"NULL", {0, 0}},        {"NOT_NULL", {0, 0}}, {"EQ", {1, 1}},  {"NE", {1, 1}}, {"LE", {1, 1}},
      {"LT", {1, 1}},          {"GE", {1, 1}},       {"GT", {1, 1}},  {"CONTAINS", {1, 1}},
      {"NOT_CONTAINS", {1, 1}}, {"BEGINS_WITH", {1, 1}}, {"IN", {1, SIZE_MAX}}, {"BETWEEN", {2, 2}}};
  auto count = kCounts.find(op);
  if (count == kCounts.end()) return std::nullopt;  // refused where it is translated
  if (values.size() < count->second.first || values.size() > count->second.second) {
    return invalid("One or more parameter values were invalid: Invalid number of argument(s) for the " + op +
                   " ComparisonOperator");
  }
  if (values.empty()) return std::nullopt;
  std::string type = typeOf(values[0]);
  for (const Json& value : values) {
    if (typeOf(value) != type) {
      return invalid("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type");
    }
  }
  static const std::set<std::string> kScalars = {"S", "N", "B"};
  bool allowed = op == "EQ" || op == "NE" ? (kScalars.count(type) || type == "SS" || type == "NS" || type == "BS")
                 : op == "BEGINS_WITH"    ? (type == "S" || type == "B")
                                          : kScalars.count(type) > 0;
  if (!allowed) {
    return invalid("One or more parameter values were invalid: ComparisonOperator " + op + " is not valid for " + type +
                   " AttributeValue type");
  }
  if (op == "BETWEEN" && compareValues(values[0], values[1]).value_or(0) > 0) {
    return invalid("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
  }
  return std::nullopt;
}

Result<std::string> comparison(Placeholders& p, const std::string& attribute, const Json& condition) {
  std::string op = condition.value("ComparisonOperator", "");
  Json values = condition.value("AttributeValueList", Json::array());
  if (auto error = checkComparison(op, values)) return *error;
  auto need = [&](size_t count) -> std::optional<ApiError> {
    if (values.size() != count) {
      return invalid("One or more parameter values were invalid: Invalid number of argument(s) for the " + op +
                     " ComparisonOperator");
    }
    return std::nullopt;
  };
  std::string n = p.name(attribute);
  static const std::map<std::string, std::string> binary = {{"EQ", "="}, {"NE", "<>"}, {"LT", "<"},
                                                            {"LE", "<="}, {"GT", ">"}, {"GE", ">="}};
  if (auto it = binary.find(op); it != binary.end()) {
    if (auto error = need(1)) return *error;
    return n + " " + it->second + " " + p.value(values[0]);
  }
  if (op == "NOT_NULL" || op == "NULL") {
    if (auto error = need(0)) return *error;
    return std::string(op == "NULL" ? "attribute_not_exists(" : "attribute_exists(") + n + ")";
  }
  if (op == "CONTAINS" || op == "NOT_CONTAINS") {
    if (auto error = need(1)) return *error;
    return std::string(op == "NOT_CONTAINS" ? "NOT " : "") + "contains(" + n + ", " + p.value(values[0]) + ")";
  }
  if (op == "BEGINS_WITH") {
    if (auto error = need(1)) return *error;
    return "begins_with(" + n + ", " + p.value(values[0]) + ")";
  }
  if (op == "BETWEEN") {
    if (auto error = need(2)) return *error;
    return n + " BETWEEN " + p.value(values[0]) + " AND " + p.value(values[1]);
  }
  if (op == "IN") {
    if (values.empty()) return invalid("One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator");
    std::string list;
    for (const Json& v : values) list += (list.empty() ? "" : ", ") + p.value(v);
    return n + " IN (" + list + ")";
  }
  return invalid("Unsupported ComparisonOperator: " + op);
}

// A map of conditions joined with AND (or ConditionalOperator's OR).
Result<std::string> conditions(Placeholders& p, const Json& map, const std::string& joiner) {
  std::string out;
  for (const auto& [attribute, condition] : map.items()) {
    auto part = comparison(p, attribute, condition);
    if (!part) return part;
    out += (out.empty() ? "" : " " + joiner + " ") + "(" + *part + ")";
  }
  return out;
}

// Expected: {attr: {Value, Exists}} or {attr: {ComparisonOperator, AttributeValueList}}.
Result<std::string> expected(Placeholders& p, const Json& map, const std::string& joiner) {
  std::string out;
  for (const auto& [attribute, entry] : map.items()) {
    std::string part;
    // DynamoDB's checks of one Expected entry, in its words and order.
    std::string about = " for Attribute: " + attribute;
    if (entry.contains("AttributeValueList") && entry.contains("Value")) {
      return invalid("One or more parameter values were invalid: Value and AttributeValueList cannot be used together" + about);
    }
    if (entry.contains("ComparisonOperator")) {
      std::string op = entry["ComparisonOperator"].is_string() ? entry["ComparisonOperator"].get<std::string>() : "";
      if (entry.contains("Exists")) {
        return invalid("One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together" + about);
      }
      if (op != "NULL" && op != "NOT_NULL" && !entry.contains("AttributeValueList") && !entry.contains("Value")) {
        return invalid("One or more parameter values were invalid: Value or AttributeValueList must be used with "
                       "ComparisonOperator: " + op + about);
      }
    } else if (entry.contains("AttributeValueList")) {
      return invalid("One or more parameter values were invalid: AttributeValueList can only be used with a "
                     "ComparisonOperator" + about);
    }
    if (entry.contains("Value") && !entry.contains("ComparisonOperator")) {
      Json value = entry["Value"];
      if (auto error = validateValue(value, "Expected")) return *error;
    }
    if (entry.contains("ComparisonOperator")) {
      Json withList = entry;
      if (entry.contains("Value")) withList["AttributeValueList"] = Json::array({entry["Value"]});
      auto compared = comparison(p, attribute, withList);
      if (!compared) return compared;
      part = *compared;
    } else if (entry.value("Exists", true) == false) {
      if (entry.contains("Value")) {
        return invalid("One or more parameter values were invalid: Value cannot be used when Exists is false for "
                       "Attribute: " + attribute);
      }
      part = "attribute_not_exists(" + p.name(attribute) + ")";
    } else if (entry.contains("Value")) {
      part = p.name(attribute) + " = " + p.value(entry["Value"]);
    } else {
      return invalid(std::string("One or more parameter values were invalid: Value must be provided when Exists is ") +
                     (entry.contains("Exists") ? "true" : "null") + " for Attribute: " + attribute);
    }
    out += (out.empty() ? "" : " " + joiner + " ") + "(" + part + ")";
  }
  return out;
}

Result<std::string> attributeUpdates(Placeholders& p, const Json& map) {
  std::vector<std::string> sets, removes, adds, deletes;
  for (const auto& [attribute, update] : map.items()) {
    std::string action = update.value("Action", "PUT");
    // DynamoDB's checks of one update, in its words and order.
    std::string type;
    if (update.contains("Value")) {
      Json value = update["Value"];
      if (auto error = validateValue(value, "AttributeUpdates")) return *error;
      type = typeOf(value);
    } else if (action != "DELETE") {
      return invalid("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified");
    }
    bool set = type == "SS" || type == "NS" || type == "BS";
    if (action == "DELETE" && !type.empty() && !set) {
      return invalid("One or more parameter values were invalid: DELETE action with value is not supported for the type " + type);
    }
    if (action == "ADD" && !set && type != "N" && type != "L") {
      return invalid("One or more parameter values were invalid: ADD action is not supported for the type " + type);
    }
    std::string n = p.name(attribute);
    if (action == "PUT") {
      sets.push_back(n + " = " + p.value(update["Value"]));
    } else if (action == "DELETE") {
      if (update.contains("Value")) deletes.push_back(n + " " + p.value(update["Value"]));
      else removes.push_back(n);
    } else if (action == "ADD" && type == "L") {  // ADD of a list appends to it
      sets.push_back(n + " = list_append(if_not_exists(" + n + ", " + p.value(Json{{"L", Json::array()}}) + "), " +
                     p.value(update["Value"]) + ")");
    } else if (action == "ADD") {
      adds.push_back(n + " " + p.value(update["Value"]));
    } else {
      return invalid("Unsupported Action: " + action);
    }
  }
  std::string out;
  auto clause = [&](const char* keyword, const std::vector<std::string>& parts) {
    if (parts.empty()) return;
    std::string joined;
    for (const auto& part : parts) joined += (joined.empty() ? "" : ", ") + part;
    out += (out.empty() ? "" : " ") + std::string(keyword) + " " + joined;
  };
  clause("SET", sets);
  clause("REMOVE", removes);
  clause("ADD", adds);
  clause("DELETE", deletes);
  return out;
}

Result<std::string> projection(Placeholders& p, const Json& attributes) {
  std::string out;
  std::set<std::string> seen;
  for (const Json& attribute : attributes) {
    if (!seen.insert(attribute.get<std::string>()).second) {
      return invalid("One or more parameter values were invalid: Duplicate value in attribute name: " +
                     attribute.get<std::string>());
    }
    out += (out.empty() ? "" : ", ") + p.name(attribute.get<std::string>());
  }
  return out;
}

constexpr const char* kLegacyNames[] = {"AttributeUpdates", "AttributesToGet", "Expected",
                                        "KeyConditions",    "QueryFilter",     "ScanFilter"};

}  // namespace

bool hasLegacyParameters(const Json& request) {
  for (const char* name : kLegacyNames) {
    if (request.contains(name)) return true;
  }
  return false;
}

Result<Json> translateLegacyParameters(const Json& request) {
  std::string legacy, modern;
  for (const char* name : kLegacyNames) {
    if (request.contains(name)) legacy += (legacy.empty() ? "" : ", ") + std::string(name);
  }
  if (legacy.empty()) return request;
  for (const char* name : {"KeyConditionExpression", "FilterExpression", "ConditionExpression", "UpdateExpression",
                           "ProjectionExpression"}) {
    if (request.contains(name)) modern += (modern.empty() ? "" : ", ") + std::string(name);
  }
  if (!modern.empty()) {
    return invalid("Can not use both expression and non-expression parameters in the same request: "
                   "Non-expression parameters: {" + legacy + "} Expression parameters: {" + modern + "}");
  }
  Json out = request;
  Placeholders p(out);
  std::string joiner = request.value("ConditionalOperator", "AND");
  if (joiner != "AND" && joiner != "OR") return invalid("ConditionalOperator must be AND or OR");
  for (const char* filter : {"QueryFilter", "ScanFilter"}) {
    if (!request.contains(filter) || request[filter].empty()) continue;  // an empty filter filters nothing
    auto expression = conditions(p, request[filter], joiner);
    if (!expression) return expression.error();
    out["FilterExpression"] = *expression;
  }
  if (request.contains("AttributeUpdates")) {
    auto expression = attributeUpdates(p, request["AttributeUpdates"]);
    if (!expression) return expression.error();
    if (!expression->empty()) out["UpdateExpression"] = *expression;
  }
  if (request.contains("Expected")) {
    auto expression = expected(p, request["Expected"], joiner);
    if (!expression) return expression.error();
    if (!expression->empty()) out["ConditionExpression"] = *expression;
  }
  if (request.contains("AttributesToGet")) {
    auto expression = projection(p, request["AttributesToGet"]);
    if (!expression) return expression.error();
    out["ProjectionExpression"] = *expression;
  }
  // Last, as DynamoDB checks the key conditions after the rest, the start
  // key's values included.
  if (auto error = checkStartKeyValues(request)) return *error;
  if (request.contains("KeyConditions")) {
    auto expression = conditions(p, request["KeyConditions"], "AND");
    if (!expression) return expression.error();
    out["KeyConditionExpression"] = *expression;
  }
  // KeyConditions stays beside its expression: Query checks it against the
  // schema in DynamoDB's words before the expression.
  // A filter that came as QueryFilter is named so in Query's messages.
  if (request.contains("QueryFilter") && !request["QueryFilter"].empty()) out[kFromQueryFilter] = true;
  for (const char* name : kLegacyNames) {
    if (std::string(name) != "KeyConditions") out.erase(name);
  }
  out.erase("ConditionalOperator");
  return out;
}

}  // namespace kura::ddb
