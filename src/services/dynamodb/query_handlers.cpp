#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/item_checks.h"
#include "services/dynamodb/key_paths.h"
#include "services/dynamodb/secondary_indexes.h"

namespace kura::ddb {
namespace {

constexpr size_t kPageBytes = 1024 * 1024;

ApiError validation(const std::string& message) { return ApiError::sender("ValidationException", message); }

// One condition of a KeyConditionExpression: the key attribute it names and
// the condition with that attribute first.
struct KeyPart {
  std::string name;
  ConditionPtr condition;
};

// The parts of a key condition (conditions joined by AND), each checked as
// DynamoDB checks them, in its words.
std::optional<ApiError> keyParts(const ConditionPtr& node, std::vector<KeyPart>& parts) {
  using Kind = Condition::Kind;
  static const std::map<Kind, std::string> kRefused = {
      {Kind::Or, "OR"},           {Kind::Not, "NOT"}, {Kind::In, "IN"}, {Kind::Exists, "attribute_exists"},
      {Kind::NotExists, "attribute_not_exists"}, {Kind::Type, "attribute_type"}, {Kind::Contains, "contains"}};
  if (node->kind == Kind::And) {
    if (auto error = keyParts(node->left, parts)) return error;
    return keyParts(node->right, parts);
  }
  if (auto refused = kRefused.find(node->kind); refused != kRefused.end()) {
    return validation("Invalid operator used in KeyConditionExpression: " + refused->second);
  }
  if (node->kind == Kind::Compare && node->op == "<>") return validation("Invalid operator used in KeyConditionExpression: <>");
  const char* name = node->kind == Kind::Between ? "BETWEEN" : node->kind == Kind::BeginsWith ? "begins_with" : nullptr;
  if (name && node->operands[0]->kind != Operand::Kind::Path) {
    return validation(std::string("Invalid condition in KeyConditionExpression: ") + name +
                      " operator must have the key attribute as its first operand");
  }
  int pathAt = -1;
  for (size_t i = 0; i < node->operands.size(); ++i) {
    const Operand& operand = *node->operands[i];
    if (operand.kind != Operand::Kind::Value && operand.kind != Operand::Kind::Path) {
      return validation("KeyConditionExpressions cannot contain nested operations");
    }
    if (operand.kind != Operand::Kind::Path) continue;
    if (pathAt >= 0) return validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
    if (operand.path.size() > 1) return validation("KeyConditionExpressions cannot have conditions on nested attributes");
    pathAt = static_cast<int>(i);
  }
  if (pathAt < 0) return validation("Invalid condition in KeyConditionExpression: No key attribute specified");
  KeyPart part{node->operands[static_cast<size_t>(pathAt)]->path[0].name, node};
  for (const auto& other : parts) {
    if (other.name == part.name) return validation("KeyConditionExpressions must only contain one condition per key");
  }
  if (pathAt == 1) {  // :v < k is k > :v
    static const std::map<std::string, std::string> kFlipped = {{"=", "="}, {"<", ">"}, {"<=", ">="}, {">", "<"}, {">=", "<="}};
    auto flipped = std::make_shared<Condition>(*node);
    flipped->op = kFlipped.at(node->op);
    std::swap(flipped->operands[0], flipped->operands[1]);
    part.condition = flipped;
  }
  parts.push_back(std::move(part));
  return std::nullopt;
}

// The partition key's value and the sort key's condition, if any, checked
// against the schema of the source as DynamoDB checks them.
std::optional<ApiError> keyConditionFor(const Json& table, const ReadSource& source, const ConditionPtr& keyCondition,
                                        std::optional<Json>& hashValue, ConditionPtr& rangeCondition) {
  std::vector<KeyPart> parts;
  if (auto error = keyParts(keyCondition, parts)) return error;
  if (source.rangeName.empty() && parts.size() > 1) return validation("Query key condition not supported");
  for (const std::string& name : {source.hashName, source.rangeName}) {
    if (name.empty()) continue;
    auto part = std::find_if(parts.begin(), parts.end(), [&](const KeyPart& p) { return p.name == name; });
    if (part == parts.end()) {
      if (name == source.hashName || parts.size() > 1) return validation("Query condition missed key schema element: " + name);
      continue;
    }
    std::string type = attributeType(table, name);
    for (size_t i = 1; i < part->condition->operands.size(); ++i) {
      if (typeOf(part->condition->operands[i]->value) != type) {
        return validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
      }
    }
    if (name == source.hashName) {
      if (part->condition->kind != Condition::Kind::Compare || part->condition->op != "=") {
        return validation("Query key condition not supported");
      }
      hashValue = part->condition->operands[1]->value;
    } else {
      rangeCondition = part->condition;
    }
  }
  return std::nullopt;
}

// What a page of Query or Scan gathers: the filter, projection and counts.
struct PageBuilder {
  const Json& in;
  ConditionPtr filter;
  std::vector<Path> projection;
  bool countOnly = false;
  size_t limit = SIZE_MAX;
  size_t evaluated = 0, bytes = 0;
  Json items = Json::array();

  // False once the page is full.
  Result<bool> add(const Json& item) {
    ++evaluated;
    bytes += itemSize(item);
    bool keep = true;
    if (filter) {
      auto holds = evaluate(*filter, item);
      if (!holds) return holds.error();
      keep = *holds;
    }
    if (keep && !countOnly) items.push_back(projection.empty() ? item : project(item, projection));
    if (keep && countOnly) items.push_back(nullptr);
    return evaluated < limit && bytes < kPageBytes;
  }
};

Result<std::unique_ptr<PageBuilder>> pageFor(const Json& in, RequestExpressions& expressions) {
  auto page = std::make_unique<PageBuilder>(PageBuilder{in});
  if (in.contains("FilterExpression")) {
    auto filter = parseCondition(in["FilterExpression"], expressions.context(), "FilterExpression");
    if (!filter) return filter.error();
    page->filter = *filter;
  }
  if (in.contains("ProjectionExpression")) {
    auto projection = parseProjection(in["ProjectionExpression"], expressions.context());
    if (!projection) return projection.error();
    page->projection = *projection;
  }
  std::string select = in.value("Select", "ALL_ATTRIBUTES");
  if (select == "COUNT") page->countOnly = true;
  if (select == "SPECIFIC_ATTRIBUTES" && page->projection.empty()) {
    return ApiError::sender("ValidationException", "Select SPECIFIC_ATTRIBUTES needs a ProjectionExpression");
  }
  // A projection goes with SPECIFIC_ATTRIBUTES only (or no Select), and
  // ALL_PROJECTED_ATTRIBUTES with an index, as the API reference says.
  if (in.contains("Select") && select != "SPECIFIC_ATTRIBUTES" && !page->projection.empty()) {
    return ApiError::sender("ValidationException",
                            std::string("Cannot specify the ") +
                                (in.contains("AttributesToGet") ? "AttributesToGet" : "ProjectionExpression") +
                                " when choosing to get " + select);
  }
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !in.contains("IndexName")) {
    return ApiError::sender("ValidationException",
                            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  }
  if (in.contains("Limit")) page->limit = in["Limit"].get<size_t>();
  return page;
}

Json pageOutput(DynamoDbApi& api, PageBuilder& page, const std::optional<Json>& lastKey, const Json& table,
               const ReadSource& source, const Json& in) {
  Json out = {{"Count", page.items.size()}, {"ScannedCount", page.evaluated}};
  if (!page.countOnly) out["Items"] = page.items;
  if (lastKey) out["LastEvaluatedKey"] = *lastKey;
  double units = std::max(0.5, std::ceil(page.bytes / 4096.0) / (in.value("ConsistentRead", false) ? 1 : 2));
  // A global secondary index has capacity of its own; a local one reads the table's.
  bool global = source.global && source.index;
  Json capacity = global ? api.consumed(table, Use::Read, 0, in, true, {{source.index->name, units}})
                         : api.consumed(table, Use::Read, units, in);
  if (!capacity.is_null()) out["ConsumedCapacity"] = capacity;
  return out;
}

}  // namespace

Result<std::string> DynamoDbApi::startPosition(const Json& table, const ReadSource& source, const Json& startKey) {
  auto invalidKey = [](const std::string& why) {
    return ApiError::sender("ValidationException", "The provided starting key is invalid: " + why);
  };
  // As DynamoDB checks it: for an index, the table's and the index's key
  // attributes and no others, the index's of their declared types; then the
  // table's key.
  std::set<std::string> names;
  for (const auto& element : table["KeySchema"]) names.insert(element["AttributeName"].get<std::string>());
  for (const std::string& name : {source.hashName, source.rangeName}) {
    if (!name.empty()) names.insert(name);
  }
  if (!startKey.is_object() || startKey.size() != names.size()) {
    return ApiError::sender("ValidationException", "The provided starting key is invalid");
  }
  for (const std::string& name : {source.hashName, source.rangeName}) {
    if (name.empty()) continue;
    auto value = startKey.find(name);
    if (value == startKey.end()) return ApiError::sender("ValidationException", "The provided starting key is invalid");
    if (typeOf(*value) != attributeType(table, name)) {
      return ApiError::sender("ValidationException", "The provided key element does not match the schema");
    }
  }
  Json tableKey = Json::object();
  for (const auto& element : table["KeySchema"]) {
    const std::string& name = element["AttributeName"].get_ref<const std::string&>();
    if (startKey.contains(name)) tableKey[name] = startKey[name];
  }
  if (auto checked = keyOf(table, tableKey, true); !checked) return invalidKey(checked.error().message);
  auto itemKey = keyOf(table, startKey, !source.index);
  if (!itemKey) return invalidKey(itemKey.error().message);
  if (!source.index) return *itemKey;
  auto entry = TableStore::indexEntryKey(*source.index, startKey, *itemKey);
  if (!entry) return invalidKey("The provided key element does not match the schema");
  return *entry;
}

// What needs no table is checked first, as DynamoDB does (a bad request to
// a table that does not exist is a ValidationException).
Result<Json> DynamoDbApi::query(const RequestContext& c, const Json& in) {
  if (auto error = checkStartKeyValues(in)) return *error;
  if (!in.contains("KeyConditionExpression")) {
    return ApiError::sender("ValidationException", "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  RequestExpressions expressions(in);
  auto keyCondition = parseCondition(in["KeyConditionExpression"], expressions.context(), "KeyConditionExpression");
  if (!keyCondition) return keyCondition.error();
  auto page = pageFor(in, expressions);
  if (!page) return page.error();
  if (auto error = expressions.checkAllUsed()) return *error;
  // Legacy KeyConditions (translated, the original kept beside) are checked
  // against the schema first, as DynamoDB checks them.
  const Json* legacy = in.contains("KeyConditions") ? &in["KeyConditions"] : nullptr;
  std::vector<KeyPart> parts;
  if (!legacy) {
    if (auto error = keyParts(*keyCondition, parts)) return *error;
  }
  if ((legacy ? legacy->size() : parts.size()) > 2) return validation("Conditions can be of length 1 or 2 only");
  auto table = requireTable(c, in["TableName"]);
  if (!table) return table.error();
  auto source = readSourceFor(*table, in);
  if (!source) return source.error();
  if (auto throttled = admitRead(*table, *source)) return *throttled;

  const std::string& rangeName = source->rangeName;
  // DynamoDB walks the source's key attributes, the partition key's then the
  // sort key's, checking for each the start key's value and then the key
  // condition on it; the start key as a whole comes after.
  std::vector<std::string> conditioned;
  if (legacy) {
    for (const auto& [name, condition] : legacy->items()) conditioned.push_back(name);
  } else {
    for (const auto& part : parts) conditioned.push_back(part.name);
  }
  const Json* startKey = in.contains("ExclusiveStartKey") ? &in["ExclusiveStartKey"] : nullptr;
  if (startKey) {
    std::set<std::string> names;
    for (const auto& element : (*table)["KeySchema"]) names.insert(element["AttributeName"].get<std::string>());
    for (const std::string& name : {source->hashName, rangeName}) {
      if (!name.empty()) names.insert(name);
    }
    if (!startKey->is_object() || startKey->size() != names.size()) return validation("The provided starting key is invalid");
  }
  for (const std::string& name : {source->hashName, rangeName}) {
    if (name.empty()) continue;
    bool isHash = name == source->hashName;
    if (startKey) {
      auto value = startKey->find(name);
      if (value == startKey->end()) return validation("The provided starting key is invalid");
      if (typeOf(*value) != attributeType(*table, name)) return validation("The provided key element does not match the schema");
    }
    if (isHash && rangeName.empty() && conditioned.size() > 1) return validation("Query key condition not supported");
    if (std::find(conditioned.begin(), conditioned.end(), name) == conditioned.end()) {
      if (isHash || conditioned.size() > 1) return validation("Query condition missed key schema element: " + name);
      continue;
    }
    if (legacy) {
      static const std::set<std::string> kUnindexable = {"NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN"};
      if (kUnindexable.count((*legacy)[name].value("ComparisonOperator", ""))) {
        return validation("Attempted conditional constraint is not an indexable operation");
      }
    }
  }
  std::optional<std::string> position;
  if (startKey) {
    auto found = startPosition(*table, *source, *startKey);
    if (!found) return found.error();
    position = *found;
  }
  if (auto error = selectError(*source, in)) return *error;
  std::optional<Json> hashValue;
  ConditionPtr rangeCondition;
  if (auto error = keyConditionFor(*table, *source, *keyCondition, hashValue, rangeCondition)) return *error;
  if (auto error = checkKeyPaths(*table, (*page)->projection)) return *error;
  if ((*page)->filter) {
    std::vector<Path> filtered = conditionPaths(*(*page)->filter);
    if (!in.contains(kFromStatement)) {
      if (auto error = checkFilterKeys(filtered, source->hashName, source->rangeName,
                                       in.contains(kFromQueryFilter) ? "QueryFilter" : "Filter Expression")) {
        return *error;
      }
    }
    if (auto error = checkKeyPaths(*table, filtered)) return *error;
  }
  std::string prefix = TableStore::hashPrefix(*hashValue);

  // The items under the partition key (with their positions, for paging),
  // in sort key order.
  std::vector<std::pair<std::string, Json>> matching;
  auto collect = [&](const std::string& position, Json item) {
    matching.emplace_back(position, std::move(item));
    return true;
  };
  if (source->index) {
    store_.scanIndex((*table)["_id"], source->index->name, prefix, "", collect);
  } else {
    store_.scanItems((*table)["_id"], prefix, "", collect);
  }
  if (!rangeName.empty()) {
    std::stable_sort(matching.begin(), matching.end(), [&](const auto& a, const auto& b) {
      return compareValues(a.second[rangeName], b.second[rangeName]).value_or(0) < 0;
    });
  }
  if (!in.value("ScanIndexForward", true)) std::reverse(matching.begin(), matching.end());
  size_t start = 0;
  if (in.contains("ExclusiveStartKey")) {
    const Json& startKey = in["ExclusiveStartKey"];
    bool sameHash = valuesEqual(startKey.value(source->hashName, Json()), *hashValue);
    if (!rangeCondition && !sameHash) {
      return validation("The provided starting key is outside query boundaries based on provided conditions");
    }
    if (rangeCondition) {
      auto holds = evaluate(*rangeCondition, startKey);
      if (!holds) return holds.error();
      if (!*holds) return validation("The provided starting key does not match the range key predicate");
      if (!sameHash) return validation("The query can return at most one row and cannot be restarted");
    }
    // The page goes on after the key's place in the order, whether an item
    // is there or not (it may have been deleted since).
    Json startRange = rangeName.empty() ? Json() : startKey.value(rangeName, Json());
    bool forward = in.value("ScanIndexForward", true);
    auto after = [&](const std::pair<std::string, Json>& entry) {
      int order = rangeName.empty() ? 0 : compareValues(entry.second[rangeName], startRange).value_or(0);
      if (order == 0) order = entry.first.compare(*position) < 0 ? -1 : (entry.first == *position ? 0 : 1);
      return forward ? order > 0 : order < 0;
    };
    start = static_cast<size_t>(std::find_if(matching.begin(), matching.end(), after) - matching.begin());
  }
  std::optional<Json> lastKey;
  for (size_t i = start; i < matching.size(); ++i) {
    const Json& item = matching[i].second;
    if (rangeCondition) {
      auto holds = evaluate(*rangeCondition, item);
      if (!holds) return holds.error();
      if (!*holds) continue;
    }
    auto more = (*page)->add(source->project(*table, item));
    if (!more) return more.error();
    if (!*more) {
      if (i + 1 < matching.size()) lastKey = source->pagingKey(*table, item);
      break;
    }
  }
  return pageOutput(*this, **page, lastKey, *table, *source, in);
}

Result<Json> DynamoDbApi::scan(const RequestContext& c, const Json& in) {
  if (auto error = checkStartKeyValues(in)) return *error;
  int64_t segment = in.value("Segment", -1), total = in.value("TotalSegments", -1);
  if (segment >= 0 && total < 0) {
    return validation("The TotalSegments parameter is required but was not present in the request when Segment "
                      "parameter is present");
  }
  if (total >= 0 && segment < 0) {
    return validation("The Segment parameter is required but was not present in the request when parameter "
                      "TotalSegments is present");
  }
  if (total >= 0 && segment >= total) {
    return validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " +
                      std::to_string(segment) + " is not less than TotalSegments: " + std::to_string(total));
  }
  RequestExpressions expressions(in);
  auto page = pageFor(in, expressions);
  if (!page) return page.error();
  if (auto error = expressions.checkAllUsed()) return *error;
  auto table = requireTable(c, in["TableName"]);
  if (!table) return table.error();
  auto source = readSourceFor(*table, in);
  if (!source) return source.error();
  if (auto throttled = admitRead(*table, *source)) return *throttled;
  std::string startAfter;
  if (in.contains("ExclusiveStartKey")) {
    // A table Scan's start key is checked as a key of the table first, as DynamoDB words it.
    if (!source->index) {
      if (auto checked = keyOf(*table, in["ExclusiveStartKey"], true); !checked) {
        return validation("The provided starting key is invalid: " + checked.error().message);
      }
    }
    auto startKey = startPosition(*table, *source, in["ExclusiveStartKey"]);
    if (!startKey) return startKey.error();
    startAfter = *startKey;
  }
  if (auto error = selectError(*source, in)) return *error;
  if (auto error = checkKeyPaths(*table, (*page)->projection)) return *error;
  if ((*page)->filter) {
    if (auto error = checkKeyPaths(*table, conditionPaths(*(*page)->filter))) return *error;
  }
  const std::string& hashName = source->hashName;
  std::optional<Json> lastKey;
  std::optional<ApiError> failure;
  bool full = false;
  auto visit = [&](const std::string&, Json item) {
    if (full) {
      return false;
    }
    if (total > 0) {
      size_t bucket = std::hash<std::string>{}(keyBytes(item[hashName])) % static_cast<size_t>(total);
      if (static_cast<int64_t>(bucket) != segment) return true;
    }
    auto more = (*page)->add(source->project(*table, item));
    if (!more) {
      failure = more.error();
      return false;
    }
    if (!*more) {
      lastKey = source->pagingKey(*table, item);
      full = true;
    }
    return true;
  };
  if (source->index) {
    store_.scanIndex((*table)["_id"], source->index->name, "", startAfter, visit);
  } else {
    store_.scanItems((*table)["_id"], "", startAfter, visit);
  }
  if (failure) return *failure;
  return pageOutput(*this, **page, lastKey, *table, *source, in);
}

}  // namespace kura::ddb
