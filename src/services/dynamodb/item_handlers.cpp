#include <algorithm>
#include <cmath>

#include "common/json_text.h"
#include "ddb/item_text.h"
#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/item_checks.h"
#include "services/dynamodb/key_paths.h"
#include "services/dynamodb/secondary_indexes.h"

namespace kura::ddb {
namespace {

constexpr size_t kMaxBatchGetBytes = 16u << 20;  // what one BatchGetItem answers at most

double writeUnits(const Json* item) { return item ? std::max(1.0, std::ceil(itemSize(*item) / 1024.0)) : 1.0; }
double readUnits(const Json* item, bool consistent) {
  double units = item ? std::max(1.0, std::ceil(itemSize(*item) / 4096.0)) : 1.0;
  return consistent ? units : units / 2;
}

// The condition, if any, parsed against the request's names and values.
Result<ConditionPtr> conditionOf(const Json& in, RequestExpressions& expressions) {
  if (!in.contains("ConditionExpression")) return ConditionPtr();
  return parseCondition(in["ConditionExpression"], expressions.context());
}

ApiError conditionFailed(const Json& in, const Json* current) {
  ApiError error = ApiError::sender("ConditionalCheckFailedException", "The conditional request failed");
  if (current && in.value("ReturnValuesOnConditionCheckFailure", "NONE") == "ALL_OLD") {
    error.detailsJson = Json{{"Item", *current}}.dump();
  }
  return error;
}

// The error the write answers if its condition does not hold on `current`.
std::optional<ApiError> checkCondition(const ConditionPtr& condition, const Json& in, const Json* current) {
  if (!condition) return std::nullopt;
  auto holds = evaluate(*condition, current ? *current : Json::object());
  if (!holds) return holds.error();
  if (!*holds) return conditionFailed(in, current);
  return std::nullopt;
}

// What an update touched, for UPDATED_OLD / UPDATED_NEW: the paths it
// names and no more (SET info.rating answers info.rating, not all of info),
// as a projection of them answers.
Json touched(const Json& item, const std::vector<UpdateAction>& actions) {
  std::vector<Path> paths;
  paths.reserve(actions.size());
  for (const auto& action : actions) paths.push_back(action.path);
  return project(item, paths);
}

// Whether `name` is a key attribute of one of the table's secondary indexes.
bool indexKeyName(const Json& table, const std::string& name) {
  for (const IndexDef& index : indexesOf(table)) {
    if (index.hashAttr == name || index.rangeAttr == name) return true;
  }
  return false;
}

// What an update sets, as text, when it only SETs whole top-level
// attributes to values (SET a = :v, b = :w) of an on-demand table, with no
// condition, nothing to return and no capacity to report: the update that
// can be made to the item's text without parsing it. Not an index's key,
// whose type the general path checks (indexKeyError).
std::optional<std::vector<AttributeText>> plainSets(const Json& in, const Json& table, bool conditioned,
                                                    const std::vector<UpdateAction>& actions) {
  if (conditioned || actions.empty() || isProvisioned(table) || in.value("ReturnValues", "NONE") != "NONE" ||
      in.value("ReturnConsumedCapacity", "NONE") != "NONE") {
    return std::nullopt;
  }
  // (Two actions on one path never get here: parseUpdate refuses overlapping
  // paths, and withAttributesSet refuses one name twice.)
  std::vector<AttributeText> sets;
  for (const auto& action : actions) {
    if (action.kind != UpdateAction::Kind::Set || action.path.size() != 1 || action.path[0].name.empty() ||
        action.value->kind != Operand::Kind::Value || indexKeyName(table, action.path[0].name)) {
      return std::nullopt;
    }
    sets.push_back({action.path[0].name, action.value->value.dump()});
  }
  return sets;
}

// ItemCollectionMetrics for a write asked for them (ReturnItemCollectionMetrics
// SIZE) to a table with local secondary indexes, as DynamoDB answers: the
// partition key, and the partition's size as a range in whole GB; null
// otherwise (DynamoDB answers nothing for a table without them).
Json collectionMetrics(TableStore& store, const Json& table, const Json& in, const Json& keyAttributes) {
  if (in.value("ReturnItemCollectionMetrics", "NONE") != "SIZE" || !table.contains("LocalSecondaryIndexes")) {
    return nullptr;
  }
  std::string hashName;
  for (const auto& element : table["KeySchema"]) {
    if (element["KeyType"] == "HASH") hashName = element["AttributeName"];
  }
  auto hash = keyAttributes.find(hashName);
  if (hash == keyAttributes.end()) return nullptr;
  size_t bytes = 0;
  store.scanItems(table["_id"], TableStore::hashPrefix(*hash), "", [&](const std::string&, Json item) {
    bytes += itemSize(item);
    return true;
  });
  double lower = std::floor(static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return Json{{"ItemCollectionKey", {{hashName, *hash}}}, {"SizeEstimateRangeGB", {lower, lower + 1}}};
}

// A table's AttributesToGet in BatchGetItem, as the projection of those
// top-level attributes; DynamoDB refuses it with a ProjectionExpression.
Result<std::vector<Path>> attributesToGet(const Json& request) {
  auto names = request.find("AttributesToGet");
  if (names == request.end()) return std::vector<Path>();
  if (request.contains("ProjectionExpression")) {
    return ApiError::sender("ValidationException",
                            "Can not use both expression and non-expression parameters in the same request: "
                            "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
  }
  std::vector<Path> paths;
  std::set<std::string> seen;
  for (const auto& name : *names) {
    if (!name.is_string()) continue;
    if (!seen.insert(name.get<std::string>()).second) {
      return ApiError::sender("ValidationException",
                              "One or more parameter values were invalid: Duplicate value in attribute name: " +
                                  name.get<std::string>());
    }
    paths.push_back({{name.get<std::string>(), -1}});
  }
  return paths;
}

}  // namespace

// Each handler checks what needs no table first, as DynamoDB does: a bad
// request to a table that does not exist is a ValidationException.
Result<Json> DynamoDbApi::putItem(const RequestContext& c, const Json& in) {
  Json item = in["Item"];
  if (auto error = validateItem(item, "Item")) return *error;
  RequestExpressions expressions(in);
  auto condition = conditionOf(in, expressions);
  if (!condition) return condition.error();
  if (auto error = expressions.checkAllUsed()) return *error;
  std::string returnValues = in.value("ReturnValues", "NONE");
  if (returnValues != "NONE" && returnValues != "ALL_OLD") {
    return ApiError::sender("ValidationException", "ReturnValues can only be ALL_OLD or NONE");
  }
  auto found = sharedTable(c, in["TableName"], Use::Write);
  if (!found) return found.error();
  const Json& table = **found;
  auto key = keyOf(table, item, false);
  if (!key) return key.error();
  auto old = store_.writeItem(table["_id"], *key, [&](const Json* current) -> TableStore::Decision {
    if (auto failure = checkCondition(*condition, in, current)) return *failure;
    return &item;
  });
  if (!old) return old.error();
  Json out = Json::object();
  if (returnValues == "ALL_OLD" && *old) out["Attributes"] = **old;
  Json capacity = consumed(table, Use::Write, writeUnits(&item), in, true,
                           indexWriteCosts(table, in, *old ? &**old : nullptr, &item));
  if (!capacity.is_null()) out["ConsumedCapacity"] = capacity;
  if (Json metrics = collectionMetrics(store_, table, in, item); !metrics.is_null()) out["ItemCollectionMetrics"] = metrics;
  return out;
}

Result<Json> DynamoDbApi::getItem(const RequestContext& c, const Json& in, bool rawAnswer) {
  Json keyAttributes = in["Key"];
  if (auto error = validateItem(keyAttributes, "Key")) return *error;
  RequestExpressions expressions(in);
  std::vector<Path> projection;
  if (in.contains("ProjectionExpression")) {
    auto parsed = parseProjection(in["ProjectionExpression"], expressions.context());
    if (!parsed) return parsed.error();
    projection = *parsed;
  }
  if (auto error = expressions.checkAllUsed()) return *error;
  auto found = sharedTable(c, in["TableName"], Use::Read);
  if (!found) return found.error();
  const Json& table = **found;
  auto key = keyOf(table, keyAttributes, true);
  if (!key) return key.error();
  if (auto error = checkKeyPaths(table, projection)) return *error;
  // The whole item of an on-demand table, with no capacity asked for, is
  // answered as it is stored, never parsed (the hot read of most tables).
  if (rawAnswer && projection.empty() && in.value("ReturnConsumedCapacity", "NONE") == "NONE" &&
      !isProvisioned(table)) {
    auto text = store_.getItemText(table["_id"], *key);
    if (!text) return rawJsonAnswer("{}");
    std::string answer;
    answer.reserve(text->size() + 10);
    answer += "{\"Item\":";
    answer += *text;
    answer += '}';
    return rawJsonAnswer(std::move(answer));
  }
  auto item = store_.getItem(table["_id"], *key);
  Json out = Json::object();
  if (item) out["Item"] = projection.empty() ? *item : project(*item, projection);
  Json capacity = consumed(table, Use::Read, readUnits(item ? &*item : nullptr, in.value("ConsistentRead", false)), in);
  if (!capacity.is_null()) out["ConsumedCapacity"] = capacity;
  return out;
}

Result<Json> DynamoDbApi::deleteItem(const RequestContext& c, const Json& in) {
  Json keyAttributes = in["Key"];
  if (auto error = validateItem(keyAttributes, "Key")) return *error;
  RequestExpressions expressions(in);
  auto condition = conditionOf(in, expressions);
  if (!condition) return condition.error();
  if (auto error = expressions.checkAllUsed()) return *error;
  if (std::string returnValues = in.value("ReturnValues", "NONE"); returnValues != "NONE" && returnValues != "ALL_OLD") {
    return ApiError::sender("ValidationException", "ReturnValues can only be ALL_OLD or NONE");
  }
  auto found = sharedTable(c, in["TableName"], Use::Write);
  if (!found) return found.error();
  const Json& table = **found;
  auto key = keyOf(table, keyAttributes, true);
  if (!key) return key.error();
  auto old = store_.writeItem(table["_id"], *key, [&](const Json* current) -> TableStore::Decision {
    if (auto failure = checkCondition(*condition, in, current)) return *failure;
    return nullptr;
  });
  if (!old) return old.error();
  Json out = Json::object();
  if (in.value("ReturnValues", "NONE") == "ALL_OLD" && *old) out["Attributes"] = **old;
  Json capacity = consumed(table, Use::Write, writeUnits(*old ? &**old : nullptr), in, true,
                           indexWriteCosts(table, in, *old ? &**old : nullptr, nullptr));
  if (!capacity.is_null()) out["ConsumedCapacity"] = capacity;
  if (Json metrics = collectionMetrics(store_, table, in, keyAttributes); !metrics.is_null()) {
    out["ItemCollectionMetrics"] = metrics;
  }
  return out;
}

Result<Json> DynamoDbApi::updateItem(const RequestContext& c, const Json& in) {
  Json keyAttributes = in["Key"];
  if (auto error = validateItem(keyAttributes, "Key")) return *error;
  RequestExpressions expressions(in);
  std::vector<UpdateAction> actions;
  if (in.contains("UpdateExpression")) {  // read before the condition, as DynamoDB does
    auto parsed = parseUpdate(in["UpdateExpression"], expressions.context());
    if (!parsed) return parsed.error();
    actions = *parsed;
  }
  auto condition = conditionOf(in, expressions);
  if (!condition) return condition.error();
  if (auto error = expressions.checkAllUsed()) return *error;
  auto found = sharedTable(c, in["TableName"], Use::Write);
  if (!found) return found.error();
  const Json& table = **found;
  auto key = keyOf(table, keyAttributes, true);
  if (!key) return key.error();
  if (auto error = keyUpdateError(table, actions)) return *error;
  if (auto sets = plainSets(in, table, *condition != nullptr, actions)) {
    auto rewritten = store_.rewriteItemText(table["_id"], *key, [&](const std::string& current) {
      auto text = withAttributesSet(current, *sets);
      // The text is longer than the item's DynamoDB size: one within the
      // limit as text is within it; any other is weighed on the general path.
      return text && text->size() <= kMaxItemBytes ? text : std::nullopt;
    });
    if (!rewritten) return rewritten.error();
    if (*rewritten) return Json::object();
  }
  Json updated;
  // An update that only removes attributes (REMOVE, DELETE from a set) of
  // an item that does not exist creates nothing, as in DynamoDB; one with
  // no actions at all creates the item with its key.
  bool removesOnly = onlyRemoves(actions);
  auto old = store_.writeItem(table["_id"], *key, [&](const Json* current) -> TableStore::Decision {
    if (auto failure = checkCondition(*condition, in, current)) return *failure;
    if (!current && removesOnly) {
      updated = nullptr;
      return nullptr;
    }
    updated = current ? *current : keyAttributes;
    if (auto error = applyUpdate(updated, actions)) return *error;
    if (auto error = updatedItemError(table, updated)) return *error;
    return &updated;
  });
  if (!old) return old.error();
  std::string returnValues = in.value("ReturnValues", "NONE");
  Json out = Json::object();
  const Json* written = updated.is_null() ? nullptr : &updated;
  if (returnValues == "ALL_NEW" && written) out["Attributes"] = updated;
  if (returnValues == "ALL_OLD" && *old) out["Attributes"] = **old;
  if (returnValues == "UPDATED_NEW" && written) out["Attributes"] = touched(updated, actions);
  if (returnValues == "UPDATED_OLD" && *old) out["Attributes"] = touched(**old, actions);
  if (out.contains("Attributes") && out["Attributes"].empty()) out.erase("Attributes");
  Json capacity = consumed(table, Use::Write, writeUnits(written), in, true,
                           indexWriteCosts(table, in, *old ? &**old : nullptr, written));
  if (!capacity.is_null()) out["ConsumedCapacity"] = capacity;
  if (Json metrics = collectionMetrics(store_, table, in, keyAttributes); !metrics.is_null()) {
    out["ItemCollectionMetrics"] = metrics;
  }
  return out;
}

Result<Json> DynamoDbApi::batchWriteItem(const RequestContext& c, const Json& in) {
  const Json& requests = in["RequestItems"];
  size_t total = 0;
  for (auto it = requests.begin(); it != requests.end(); ++it) total += it.value().size();
  if (total == 0 || total > 25) {
    return ApiError::sender("ValidationException",
                            "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map "
                            "value must satisfy constraint: [Member must have length less than or equal to 25, Member "
                            "must have length greater than or equal to 1]");
  }
  // The items and keys are checked before any table is looked up, as DynamoDB does.
  for (auto it = requests.begin(); it != requests.end(); ++it) {
    for (const auto& request : it.value()) {
      for (const auto& [kind, member] : {std::pair<const char*, const char*>{"PutRequest", "Item"}, {"DeleteRequest", "Key"}}) {
        if (!request.contains(kind) || !request[kind].contains(member)) continue;
        Json attributes = request[kind][member];
        if (auto error = validateItem(attributes, member)) return *error;
      }
    }
  }
  Json consumedList = Json::array();
  // Check everything first, then write each table's share in one batch.
  // Capacity is taken per item: what a PROVISIONED table has no capacity
  // left for comes back in UnprocessedItems, as DynamoDB answers.
  struct Plan {
    std::string name;  // as the request names the table
    Json table;
    std::vector<std::pair<std::string, std::optional<Json>>> writes;
    std::vector<Json> keys;  // each write's key attributes (an item's for a put)
    Json unprocessed = Json::array();
    double units = 0;
    std::map<std::string, double> indexUnits;
  };
  std::vector<Plan> plans;
  for (auto it = requests.begin(); it != requests.end(); ++it) {
    auto table = requireTable(c, it.key(), Use::None);
    if (!table) return table.error();
    Plan plan{it.key(), *table, {}, {}, Json::array(), 0};
    std::set<std::string> seen;
    for (const auto& request : it.value()) {
      if (request.contains("PutRequest")) {
        Json item = request["PutRequest"]["Item"];
        if (auto error = validateItem(item, "Item")) return *error;
        auto key = keyOf(*table, item, false);
        if (!key) {
          // A missing or mistyped key is worded as for a key, as DynamoDB words it here.
          const std::string& message = key.error().message;
          if (message.find("Missing the key") != std::string::npos || message.find("Type mismatch for key") != std::string::npos) {
            return ApiError::sender("ValidationException", "The provided key element does not match the schema");
          }
          return key.error();
        }
        if (!seen.insert(*key).second) return ApiError::sender("ValidationException", "Provided list of item keys contains duplicates");
        plan.writes.emplace_back(*key, item);
        plan.keys.push_back(item);
      } else if (request.contains("DeleteRequest")) {
        Json keyAttributes = request["DeleteRequest"]["Key"];
        if (auto error = validateItem(keyAttributes, "Key")) return *error;
        auto key = keyOf(*table, keyAttributes, true);
        if (!key) return key.error();
        if (!seen.insert(*key).second) return ApiError::sender("ValidationException", "Provided list of item keys contains duplicates");
        plan.writes.emplace_back(*key, std::nullopt);
        plan.keys.push_back(keyAttributes);
      } else {
        return ApiError::sender("ValidationException", "A WriteRequest needs a PutRequest or a DeleteRequest");
      }
    }
    plans.push_back(std::move(plan));
  }
  size_t admitted = 0;
  std::optional<ApiError> throttled;
  for (auto& plan : plans) {
    const Json& original = requests[plan.name];
    // What a write costs is weighed for PROVISIONED tables, or when asked
    // (as indexWriteCosts does): a delete costs what the item it removes
    // weighs, and the indexes are charged for the entries a write removes
    // and makes. The current item is read for that, outside the write, so a
    // write racing it may be charged as if the item were as read.
    bool weighs = isProvisioned(plan.table) || in.value("ReturnConsumedCapacity", "NONE") != "NONE";
    bool indexed = plan.table.contains("GlobalSecondaryIndexes");
    size_t kept = 0;
    for (size_t i = 0; i < plan.writes.size(); ++i) {
      const Json* after = plan.writes[i].second ? &*plan.writes[i].second : nullptr;
      std::optional<Json> before;
      if (weighs && (after == nullptr || indexed)) before = store_.getItem(plan.table["_id"], plan.writes[i].first);
      double units = writeUnits(after ? after : before ? &*before : nullptr);
      if (auto refused = limiter_.admit(plan.table, Use::Write)) {
        throttled = refused;
        plan.unprocessed.push_back(original[i]);
        continue;
      }
      limiter_.charge(plan.table, Use::Write, units);
      plan.units += units;
      if (weighs && indexed) {
        for (const auto& [index, indexUsed] : indexWriteCosts(plan.table, in, before ? &*before : nullptr, after)) {
          limiter_.charge(plan.table, Use::Write, indexUsed, index);
          plan.indexUnits[index] += indexUsed;
        }
      }
      if (kept != i) {  // never onto itself
        plan.writes[kept] = std::move(plan.writes[i]);
        plan.keys[kept] = std::move(plan.keys[i]);
      }
      ++kept;
    }
    plan.writes.resize(kept);
    plan.keys.resize(kept);
    admitted += kept;
  }
  // Nothing could be written for want of capacity: the call itself is refused.
  if (admitted == 0 && throttled) return *throttled;
  Json out = {{"UnprocessedItems", Json::object()}};
  for (auto& plan : plans) {
    if (!plan.writes.empty()) {
      auto written = store_.writeBatch(plan.table["_id"], plan.writes);
      if (!written) return written.error();
    }
    if (!plan.unprocessed.empty()) out["UnprocessedItems"][plan.name] = plan.unprocessed;
    for (const Json& keyAttributes : plan.keys) {
      if (Json metrics = collectionMetrics(store_, plan.table, in, keyAttributes); !metrics.is_null()) {
        out["ItemCollectionMetrics"][plan.name].push_back(metrics);
      }
    }
    Json capacity = consumed(plan.table, Use::Write, plan.units, in, /*charge=*/false, plan.indexUnits);
    if (!capacity.is_null()) consumedList.push_back(capacity);
  }
  if (!consumedList.empty()) out["ConsumedCapacity"] = consumedList;
  return out;
}

Result<Json> DynamoDbApi::batchGetItem(const RequestContext& c, const Json& in) {
  const Json& requests = in["RequestItems"];
  size_t total = 0;
  for (auto it = requests.begin(); it != requests.end(); ++it) total += it.value()["Keys"].size();
  if (total > 100) {
    return ApiError::sender("ValidationException", "Too many items requested for the BatchGetItem call");
  }
  // The keys and projections are checked before any table is looked up, as DynamoDB does.
  // Each table's: its keys' values, its expression parameters, then
  // whether a key is asked for twice, in DynamoDB's order.
  for (auto it = requests.begin(); it != requests.end(); ++it) {
    const Json& entry = it.value();
    std::vector<Json> keys;
    for (Json keyAttributes : entry.value("Keys", Json::array())) {
      if (auto error = validateItem(keyAttributes, "Key")) return *error;
      keys.push_back(std::move(keyAttributes));
    }
    if (entry.contains("ExpressionAttributeNames") && !entry.contains("ProjectionExpression")) {
      return ApiError::sender("ValidationException",
                              "ExpressionAttributeNames can only be specified when using expressions");
    }
    if (auto names = entry.find("ExpressionAttributeNames"); names != entry.end() && names->is_object() &&
                                                              names->empty()) {
      return ApiError::sender("ValidationException", "ExpressionAttributeNames must not be empty");
    }
    RequestExpressions expressions(entry);
    if (auto projected = attributesToGet(entry); !projected) return projected.error();
    if (entry.contains("ProjectionExpression")) {
      auto parsed = parseProjection(entry["ProjectionExpression"], expressions.context());
      if (!parsed) return parsed.error();
    }
    if (auto error = expressions.checkAllUsed()) return *error;
    for (auto key = keys.begin(); key != keys.end(); ++key) {
      if (std::find(keys.begin(), key, *key) != key) {
        return ApiError::sender("ValidationException", "Provided list of item keys contains duplicates");
      }
    }
  }
  Json out = {{"Responses", Json::object()}, {"UnprocessedKeys", Json::object()}};
  Json consumedList = Json::array();
  size_t admitted = 0, answered = 0;
  bool full = false;
  std::optional<ApiError> throttled;
  for (auto it = requests.begin(); it != requests.end(); ++it) {
    auto table = requireTable(c, it.key(), Use::None);
    if (!table) return table.error();
    bool consistent = it.value().value("ConsistentRead", false);
    Json unprocessed = Json::array();
    double units = 0;
    RequestExpressions expressions(it.value());
    auto projected = attributesToGet(it.value());
    if (!projected) return projected.error();
    std::vector<Path> projection = *projected;
    if (it.value().contains("ProjectionExpression")) {
      auto parsed = parseProjection(it.value()["ProjectionExpression"], expressions.context());
      if (!parsed) return parsed.error();
      projection = *parsed;
    }
    if (auto error = expressions.checkAllUsed()) return *error;
    Json items = Json::array();
    std::set<std::string> seen;
    for (Json keyAttributes : it.value()["Keys"]) {
      if (auto error = validateItem(keyAttributes, "Key")) return *error;
      auto key = keyOf(*table, keyAttributes, true);
      if (!key) return key.error();
      if (!seen.insert(*key).second) return ApiError::sender("ValidationException", "Provided list of item keys contains duplicates");
      // Capacity per key: what a PROVISIONED table has none left for comes
      // back in UnprocessedKeys.
      // Once an item did not fit in the answer, the keys after it are left
      // for the next call unread.
      if (full) {
        unprocessed.push_back(keyAttributes);
        continue;
      }
      if (auto refused = limiter_.admit(*table, Use::Read)) {
        throttled = refused;
        unprocessed.push_back(keyAttributes);
        continue;
      }
      auto item = store_.getItem((*table)["_id"], *key);
      double itemUnits = readUnits(item ? &*item : nullptr, consistent);  // the whole item's, projected or not
      std::optional<Json> answer;
      if (item) answer = projection.empty() ? std::move(*item) : project(*item, projection);
      // A call answers 16 MB at most; the keys whose items would pass it
      // come back in UnprocessedKeys, as DynamoDB answers them.
      size_t bytes = answer ? itemSize(*answer) : 0;
      if (answered + bytes > kMaxBatchGetBytes) {
        full = true;
        unprocessed.push_back(keyAttributes);
        continue;
      }
      answered += bytes;
      limiter_.charge(*table, Use::Read, itemUnits);
      units += itemUnits;
      ++admitted;
      if (answer) items.push_back(std::move(*answer));
    }
    out["Responses"][it.key()] = items;
    if (!unprocessed.empty()) {
      Json again = it.value();  // the same request (projection, names, consistency) for the keys left
      again["Keys"] = unprocessed;
      out["UnprocessedKeys"][it.key()] = again;
    }
    Json capacity = consumed(*table, Use::Read, units, in, /*charge=*/false);
    if (!capacity.is_null()) consumedList.push_back(capacity);
  }
  if (admitted == 0 && throttled) return *throttled;
  if (!consumedList.empty()) out["ConsumedCapacity"] = consumedList;
  return out;
}

}  // namespace kura::ddb
