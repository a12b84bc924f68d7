#include "services/dynamodb/dynamodb_api.h"

#include "services/dynamodb/item_checks.h"
#include "services/dynamodb/secondary_indexes.h"

#include "services/dynamodb/legacy_parameters.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <tuple>

#include "common/time_format.h"

namespace kura::ddb {

DynamoDbApi::DynamoDbApi(TableStore& store, std::filesystem::path backupDir, ClockPtr clock, kms::KeyManager* keys)
    : store_(store), backupDir_(std::move(backupDir)), keys_(keys), clock_(std::move(clock)),
      globalTables_(store, clock_, keys) {}

Result<Json> DynamoDbApi::requireTable(const RequestContext& c, const std::string& name, Use use) {
  auto table = sharedTable(c, name, use);
  if (!table) return table.error();
  return **table;
}

Result<std::shared_ptr<const Json>> DynamoDbApi::sharedTable(const RequestContext& c, const std::string& name, Use use) {
  auto table = store_.tableShared({c.accountId, c.region, name});
  if (!table) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  if (auto throttled = limiter_.admit(*table, use)) return *throttled;
  return table;
}

Result<std::string> DynamoDbApi::keyOf(const Json& table, const Json& attributes, bool exactKey) {
  const Json& schema = table["KeySchema"];
  if (exactKey && attributes.size() != schema.size()) {
    return ApiError::sender("ValidationException", "The provided key element does not match the schema");
  }
  const Json* hash = nullptr;
  const Json* range = nullptr;
  for (const auto& element : schema) {
    const std::string& name = element["AttributeName"].get_ref<const std::string&>();
    auto it = attributes.find(name);
    if (it == attributes.end()) {
      if (exactKey) return ApiError::sender("ValidationException", "The provided key element does not match the schema");
      return ApiError::sender("ValidationException",
                              "One or more parameter values were invalid: Missing the key " + name + " in the item");
    }
    std::string_view wanted;
    for (const auto& definition : table["AttributeDefinitions"]) {
      if (definition["AttributeName"] == name) wanted = definition["AttributeType"].get_ref<const std::string&>();
    }
    std::string type = typeOf(*it);
    if (type != wanted) {
      return ApiError::sender("ValidationException",
                              exactKey ? "The provided key element does not match the schema"
                                       : "One or more parameter values were invalid: Type mismatch for key " + name +
                                             " expected: " + std::string(wanted) + " actual: " + type);
    }
    const std::string& value = it->begin().value().get_ref<const std::string&>();
    bool isHash = element["KeyType"] == "HASH";
    if (value.empty()) {
      return ApiError::sender("ValidationException",
                              // DynamoDB words it one way for a key, another for an item's key.
                              std::string(exactKey ? "One or more parameter values were invalid: "
                                                   : "One or more parameter values are not valid. ") +
                                  "The AttributeValue for a key attribute cannot contain an empty " +
                                  (type == "B" ? "binary" : "string") + " value. Key: " + name);
    }
    // Sizes in bytes: a binary key weighs what it decodes to. The messages
    // are DynamoDB's (the hash key's has no space before the number).
    size_t bytes = type == "B" ? binaryLength(value) : value.size();
    if (isHash && bytes > 2048) {
      return ApiError::sender("ValidationException",
                              "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
                              "size limit of2048 bytes");
    }
    if (!isHash && bytes > 1024) {
      return ApiError::sender("ValidationException",
                              "One or more parameter values were invalid: Aggregated size of all range keys has "
                              "exceeded the size limit of 1024 bytes");
    }
    (isHash ? hash : range) = &*it;
  }
  if (!exactKey) {
    if (auto error = indexKeyError(table, attributes)) return *error;
  }
  return TableStore::encodeKey(*hash, range);
}

Json DynamoDbApi::keyOnly(const Json& table, const Json& item) {
  Json key = Json::object();
  for (const auto& element : table["KeySchema"]) {
    std::string name = element["AttributeName"];
    if (item.contains(name)) key[name] = item[name];
  }
  return key;
}

Json DynamoDbApi::describe(const Json& table, bool withCounts) {
  Json out = table;
  out.erase("_id");
  out.erase("_tags");
  out.erase("_ttl");
  out.erase("_pitr");
  out.erase("_stream");
  addReplicaView(table, out);
  if (withCounts) {
    uint64_t bytes = 0;
    out["ItemCount"] = store_.countItems(table["_id"], bytes);
    out["TableSizeBytes"] = bytes;
    for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
      if (!out.contains(kind)) continue;
      for (Json& index : out[kind]) {
        uint64_t indexBytes = 0;
        index["ItemCount"] = store_.countIndex(table["_id"], index["IndexName"], indexBytes);
        index["IndexSizeBytes"] = indexBytes;
      }
    }
  }
  return out;
}

std::map<std::string, double> indexWriteCosts(const Json& table, const Json& in, const Json* before,
                                              const Json* after) {
  if (!isProvisioned(table) && in.value("ReturnConsumedCapacity", "NONE") == "NONE") return {};
  return indexWriteUnits(table, before, after);
}

void addConsumed(Json& list, const Json& used) {
  if (used.is_null()) return;
  auto add = [](Json& into, const Json& from) {
    for (const char* field : {"CapacityUnits", "ReadCapacityUnits", "WriteCapacityUnits"}) {
      if (from.contains(field)) into[field] = into.value(field, 0.0) + from[field].get<double>();
    }
  };
  for (Json& entry : list) {
    if (entry["TableName"] != used["TableName"]) continue;
    add(entry, used);
    if (used.contains("Table")) add(entry["Table"], used["Table"]);
    if (auto indexes = used.find("GlobalSecondaryIndexes"); indexes != used.end()) {
      for (auto it = indexes->begin(); it != indexes->end(); ++it) add(entry["GlobalSecondaryIndexes"][it.key()], *it);
    }
    return;
  }
  list.push_back(used);
}

Json DynamoDbApi::consumed(const Json& table, Use use, double units, const Json& in, bool charge,
                          const std::map<std::string, double>& indexUnits) {
  double total = units;
  if (charge && units > 0) limiter_.charge(table, use, units);
  for (const auto& [index, indexUsed] : indexUnits) {
    if (charge) limiter_.charge(table, use, indexUsed, index);
    total += indexUsed;
  }
  std::string mode = in.value("ReturnConsumedCapacity", "NONE");
  if (mode == "NONE") return nullptr;
  Json out = {{"TableName", table["TableName"]}, {"CapacityUnits", total}};
  if (mode == "INDEXES") {
    out["Table"] = {{"CapacityUnits", units}};
    for (const auto& [index, indexUsed] : indexUnits) {
      out["GlobalSecondaryIndexes"][index] = {{"CapacityUnits", indexUsed}};
    }
  }
  return out;
}

std::optional<ApiError> DynamoDbApi::admitRead(const Json& table, const ReadSource& source) {
  return limiter_.admit(table, Use::Read, source.global && source.index ? source.index->name : "");
}

// Null when the request has none (an empty map is an error, below).
// Numbers are made canonical here; a value DynamoDB refuses is reported
// by checkAllUsed, before anything is evaluated.
RequestExpressions::RequestExpressions(const Json& in)
    : names(in.value("ExpressionAttributeNames", Json())), values(in.value("ExpressionAttributeValues", Json())) {
  for (auto it = values.begin(); it != values.end(); ++it) validateValue(it.value(), "ExpressionAttributeValues");
}

ExpressionContext RequestExpressions::context() { return {&names, &values, &usedNames, &usedValues}; }

namespace {

// #name and :value: the marker, then letters, digits and _.
bool isPlaceholder(const std::string& key, char marker) {
  return key.size() > 1 && key[0] == marker && std::all_of(key.begin() + 1, key.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

}  // namespace

std::optional<ApiError> RequestExpressions::checkAllUsed() const {
  auto invalid = [](const std::string& message) { return ApiError::sender("ValidationException", message); };
  if (names.is_object() && names.empty()) return invalid("ExpressionAttributeNames must not be empty");
  for (auto it = names.begin(); it != names.end(); ++it) {
    if (!isPlaceholder(it.key(), '#')) {
      return invalid("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + it.key() + "\"");
    }
  }
  if (values.is_object() && values.empty()) return invalid("ExpressionAttributeValues must not be empty");
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (!isPlaceholder(it.key(), ':')) {
      return invalid("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + it.key() + "\"");
    }
  }
  for (auto it = values.begin(); it != values.end(); ++it) {
    Json value = it.value();
    if (auto error = validateValue(value, "ExpressionAttributeValues")) {
      return invalid("ExpressionAttributeValues contains invalid value: " + error->message + " for key " + it.key());
    }
  }
  // Every unused key is named, as DynamoDB names them: "keys: {#a, #b}".
  for (const auto& [map, used, what] : {std::tuple<const Json&, const std::set<std::string>&, const char*>{names, usedNames, "Names"},
                                        {values, usedValues, "Values"}}) {
    std::string unused;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!used.count(it.key())) unused += (unused.empty() ? "" : ", ") + it.key();
    }
    if (!unused.empty()) {
      return ApiError::sender("ValidationException", std::string("Value provided in ExpressionAttribute") + what +
                                                         " unused in expressions: keys: {" + unused + "}");
    }
  }
  return std::nullopt;
}

namespace {

// The pattern the model gives TableName and IndexName, which the gateway's
// model check (lengths, types) leaves to the service: DynamoDB's words.
std::optional<ApiError> checkNamePatterns(const Json& in) {
  for (const auto& [member, path] : {std::pair<const char*, const char*>{"TableName", "tableName"}, {"IndexName", "indexName"}}) {
    auto it = in.find(member);
    if (it == in.end() || !it->is_string()) continue;
    const std::string& name = it->get_ref<const std::string&>();
    bool valid = std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
    if (!valid) {
      return ApiError::sender("ValidationException",
                              "1 validation error detected: Value '" + name + "' at '" + path +
                                  "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                                  "[a-zA-Z0-9_.-]+");
    }
  }
  return std::nullopt;
}

// Expression and legacy parameters together, and placeholders with no
// expression to use them, as DynamoDB refuses them (before anything else
// in the request body is looked at).
std::optional<ApiError> checkExpressionParameters(const std::string& operation, const Json& in) {
  struct Parameters {
    std::vector<std::string> expressions, legacy;
  };
  static const std::map<std::string, Parameters> kOperations = {
      {"GetItem", {{"ProjectionExpression"}, {"AttributesToGet"}}},
      {"PutItem", {{"ConditionExpression"}, {"Expected", "ConditionalOperator"}}},
      {"DeleteItem", {{"ConditionExpression"}, {"Expected", "ConditionalOperator"}}},
      {"UpdateItem", {{"UpdateExpression", "ConditionExpression"}, {"AttributeUpdates", "Expected", "ConditionalOperator"}}},
      {"Query", {{"ProjectionExpression", "FilterExpression", "KeyConditionExpression"},
                 {"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"}}},
      {"Scan", {{"ProjectionExpression", "FilterExpression"}, {"AttributesToGet", "ScanFilter", "ConditionalOperator"}}}};
  auto found = kOperations.find(operation);
  if (found == kOperations.end()) return std::nullopt;
  auto present = [&](const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& name : names) {
      if (in.contains(name) && !in[name].is_null()) out.push_back(name);
    }
    return out;
  };
  auto joined = [](const std::vector<std::string>& names, const std::string& separator) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : separator) + name;
    return out;
  };
  auto invalid = [](const std::string& message) { return ApiError::sender("ValidationException", message); };
  std::vector<std::string> expressions = present(found->second.expressions);
  if (!expressions.empty()) {
    std::vector<std::string> legacy = found->second.legacy;
    // KeyConditions beside a FilterExpression alone is allowed.
    if (in.contains("KeyConditions") && !in.contains("KeyConditionExpression")) {
      legacy.erase(std::remove(legacy.begin(), legacy.end(), "KeyConditions"), legacy.end());
    }
    if (auto both = present(legacy); !both.empty()) {
      return invalid("Can not use both expression and non-expression parameters in the same request: Non-expression "
                     "parameters: {" + joined(both, ", ") + "} Expression parameters: {" + joined(expressions, ", ") + "}");
    }
  }
  if (in.contains("ExpressionAttributeNames") && expressions.empty()) {
    return invalid("ExpressionAttributeNames can only be specified when using expressions");
  }
  std::vector<std::string> valued;
  for (const auto& name : found->second.expressions) {
    if (name != "ProjectionExpression") valued.push_back(name);
  }
  if (in.contains("ExpressionAttributeValues") && !valued.empty() && present(valued).empty()) {
    return invalid("ExpressionAttributeValues can only be specified when using expressions: " + joined(valued, " and ") +
                   (valued.size() > 1 ? " are" : " is") + " null");
  }
  return std::nullopt;
}

}  // namespace

void DynamoDbApi::registerHandlers(HandlerTable& table) {
  // Every operation accepts the legacy parameters too (legacy_parameters.h).
  auto bind = [this, &table](const char* name, Result<Json> (DynamoDbApi::*method)(const RequestContext&, const Json&)) {
    table.add(name, [this, method, operation = std::string(name)](const RequestContext& c, const Json& in) -> Result<Json> {
      if (auto error = checkNamePatterns(in)) return *error;
      if (auto error = checkExpressionParameters(operation, in)) return *error;
      if (!hasLegacyParameters(in)) return (this->*method)(c, in);
      // DynamoDB checks the item's or key's values before the legacy conditions.
      for (const char* member : {"Item", "Key"}) {
        if (!in.contains(member) || !in[member].is_object()) continue;
        for (auto it = in[member].begin(); it != in[member].end(); ++it) {
          Json value = it.value();
          if (auto error = validateValue(value, member)) return *error;
        }
      }
      auto translated = translateLegacyParameters(in);
      if (!translated) return translated.error();
      return (this->*method)(c, *translated);
    });
  };
  bind("CreateTable", &DynamoDbApi::createTable);
  bind("DescribeTable", &DynamoDbApi::describeTable);
  bind("ListTables", &DynamoDbApi::listTables);
  bind("DeleteTable", &DynamoDbApi::deleteTable);
  bind("UpdateTable", &DynamoDbApi::updateTable);
  bind("UpdateTimeToLive", &DynamoDbApi::updateTimeToLive);
  bind("DescribeTimeToLive", &DynamoDbApi::describeTimeToLive);
  bind("TagResource", &DynamoDbApi::tagResource);
  bind("UntagResource", &DynamoDbApi::untagResource);
  bind("ListTagsOfResource", &DynamoDbApi::listTags);
  bind("UpdateContinuousBackups", &DynamoDbApi::updateContinuousBackups);
  bind("DescribeContinuousBackups", &DynamoDbApi::describeContinuousBackups);
  bind("RestoreTableToPointInTime", &DynamoDbApi::restoreTableToPointInTime);
  bind("DescribeLimits", &DynamoDbApi::describeLimits);
  bind("DescribeEndpoints", &DynamoDbApi::describeEndpoints);
  bind("PutItem", &DynamoDbApi::putItem);
  bind("GetItem", &DynamoDbApi::getItemCall);
  bind("DeleteItem", &DynamoDbApi::deleteItem);
  bind("UpdateItem", &DynamoDbApi::updateItem);
  bind("BatchWriteItem", &DynamoDbApi::batchWriteItem);
  bind("BatchGetItem", &DynamoDbApi::batchGetItem);
  bind("TransactWriteItems", &DynamoDbApi::transactWriteItems);
  bind("TransactGetItems", &DynamoDbApi::transactGetItems);
  bind("ExecuteStatement", &DynamoDbApi::executeStatement);
  bind("BatchExecuteStatement", &DynamoDbApi::batchExecuteStatement);
  bind("ExecuteTransaction", &DynamoDbApi::executeTransaction);
  bind("Query", &DynamoDbApi::query);
  bind("Scan", &DynamoDbApi::scan);
  bind("CreateBackup", &DynamoDbApi::createBackup);
  bind("DescribeBackup", &DynamoDbApi::describeBackup);
  bind("ListBackups", &DynamoDbApi::listBackups);
  bind("DeleteBackup", &DynamoDbApi::deleteBackup);
  bind("RestoreTableFromBackup", &DynamoDbApi::restoreTableFromBackup);
  // DynamoDB Streams' operations (the module answers its model too).
  bind("ListStreams", &DynamoDbApi::listStreams);
  bind("DescribeStream", &DynamoDbApi::describeStream);
  bind("GetShardIterator", &DynamoDbApi::getShardIterator);
  bind("GetRecords", &DynamoDbApi::getRecords);
}

}  // namespace kura::ddb
