#include <algorithm>
#include <set>
#include <vector>

#include "common/ids.h"
#include "common/time_format.h"
#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/global_tables.h"
#include "services/dynamodb/secondary_indexes.h"
#include "services/dynamodb/stream_specification.h"

namespace kura::ddb {
namespace {

ApiError invalid(const std::string& message) {
  return ApiError::sender("ValidationException", "One or more parameter values were invalid: " + message);
}

std::string tableArn(const RequestContext& c, const std::string& name) {
  return "arn:aws:dynamodb:" + c.region + ":" + c.accountId + ":table/" + name;
}

// The table name inside a table ARN of this account and region.
std::optional<std::string> tableFromArn(const RequestContext& c, const std::string& arn) {
  std::string prefix = "arn:aws:dynamodb:" + c.region + ":" + c.accountId + ":table/";
  if (arn.rfind(prefix, 0) != 0) return std::nullopt;
  std::string rest = arn.substr(prefix.size());
  return rest.substr(0, rest.find('/'));
}

// A tagging call's ResourceArn as DynamoDB checks it before looking for the
// table: arn:aws:dynamodb:<region>:<digits>:table/<name of 3 or more, no '/'>.
std::optional<ApiError> checkTaggedArn(const std::string& arn) {
  auto refuse = [&] {
    return ApiError::sender("ValidationException", "Invalid TableArn: Invalid ResourceArn provided as input " + arn);
  };
  constexpr std::string_view kStart = "arn:aws:dynamodb:";
  if (!arn.starts_with(kStart)) return refuse();
  std::string_view rest = std::string_view(arn).substr(kStart.size());
  size_t regionEnd = rest.find(':');
  if (regionEnd == std::string_view::npos || regionEnd == 0) return refuse();
  std::string_view afterRegion = rest.substr(regionEnd + 1);
  size_t accountEnd = afterRegion.find(':');
  if (accountEnd == std::string_view::npos || accountEnd == 0) return refuse();
  for (char digit : afterRegion.substr(0, accountEnd)) {
    if (digit < '0' || digit > '9') return refuse();
  }
  std::string_view resource = afterRegion.substr(accountEnd + 1);
  if (!resource.starts_with("table/")) return refuse();
  std::string_view name = resource.substr(6);
  if (name.size() < 3 || name.find('/') != std::string_view::npos) return refuse();
  return std::nullopt;
}

// CreateTable's schema checked as DynamoDB checks it, in its order and
// words: billing and throughput, the key schema against the definitions,
// then each local and global index.
std::optional<ApiError> checkTableSchema(const Json& in) {
  auto refuse = [](const std::string& message) { return ApiError::sender("ValidationException", message); };
  auto names = [](const Json& list) {
    std::vector<std::string> out;
    for (const auto& entry : list) out.push_back(entry.value("AttributeName", ""));
    return out;
  };
  auto listed = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return "[" + out + "]";
  };
  const Json throughput = in.value("ProvisionedThroughput", Json());
  if (in.value("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST") {
    if (!throughput.is_null()) {
      return invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    }
  } else {
    if (!throughput.is_object() || !throughput.contains("ReadCapacityUnits") || !throughput.contains("WriteCapacityUnits")) {
      return invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
    }
    for (const char* units : {"ReadCapacityUnits", "WriteCapacityUnits"}) {
      if (throughput[units].is_number() && throughput[units].get<double>() > 1e12) {
        return refuse("Given value " + throughput[units].dump() + " for " + units + " is out of bounds");
      }
    }
  }
  std::vector<std::string> definitions = names(in.value("AttributeDefinitions", Json::array()));
  const Json schema = in.value("KeySchema", Json::array());
  std::vector<std::string> keys = names(schema);
  auto defined = [&](const std::string& key) { return std::find(definitions.begin(), definitions.end(), key) != definitions.end(); };
  if (keys.size() > definitions.size()) return refuse("Invalid KeySchema: Some index key attribute have no definition");
  if (!std::all_of(keys.begin(), keys.end(), defined)) {
    return invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: " + listed(keys) +
                   ", AttributeDefinitions: " + listed(definitions));
  }
  // The checks every key schema gets, the table's and each index's.
  auto checkSchema = [&](const Json& keySchema) -> std::optional<ApiError> {
    if (keySchema.size() > 1 && keySchema[0].value("AttributeName", "") == keySchema[1].value("AttributeName", "")) {
      return refuse("Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    if (keySchema.empty() || keySchema[0].value("KeyType", "") != "HASH") {
      return refuse("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    }
    if (keySchema.size() > 1 && keySchema[1].value("KeyType", "") != "RANGE") {
      return refuse("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    }
    return std::nullopt;
  };
  if (auto error = checkSchema(schema)) return error;
  bool indexed = in.contains("LocalSecondaryIndexes") || in.contains("GlobalSecondaryIndexes");
  if (!indexed && keys.size() != definitions.size()) {
    return invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in "
                   "AttributeDefinitions");
  }
  std::set<std::string> indexNames;
  for (const char* kind : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"}) {
    if (!in.contains(kind)) continue;
    bool local = std::string(kind) == "LocalSecondaryIndexes";
    const Json& indexes = in[kind];
    if (indexes.empty()) return invalid(std::string("List of ") + kind + " is empty");
    if (local && schema.size() != 2) {
      return invalid("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
    }
    for (const Json& index : indexes) {
      std::string indexName = index.value("IndexName", "");
      const Json indexSchema = index.value("KeySchema", Json::array());
      std::vector<std::string> indexKeys = names(indexSchema);
      if (!std::all_of(indexKeys.begin(), indexKeys.end(), defined)) {
        return invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: " + listed(indexKeys) +
                       ", AttributeDefinitions: " + listed(definitions));
      }
      if (auto error = checkSchema(indexSchema)) return error;
      if (local && indexSchema.size() != 2) return invalid("Index KeySchema does not have a range key for index: " + indexName);
      if (local && indexKeys[0] != keys[0]) {
        return invalid("Index KeySchema does not have the same leading hash key as table KeySchema for index: " +
                       indexName + ". index hash key: " + indexKeys[0] + ", table hash key: " + keys[0]);
      }
      const Json projection = index.value("Projection", Json::object());
      if (!projection.contains("ProjectionType")) return invalid("Unknown ProjectionType: null");
      std::string projectionType = projection.value("ProjectionType", "");
      if (projection.contains("NonKeyAttributes") && projectionType != "INCLUDE") {
        return invalid("ProjectionType is " + projectionType + ", but NonKeyAttributes is specified");
      }
      if (!local && in.value("BillingMode", "") == "PAY_PER_REQUEST" && index.contains("ProvisionedThroughput")) {
        return invalid("ProvisionedThroughput should not be specified for index: " + indexName +
                       " when BillingMode is PAY_PER_REQUEST");
      }
      if (!indexNames.insert(indexName).second) return invalid("Duplicate index name: " + indexName);
    }
    if (local && indexes.size() > 5) return invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5");
    if (!local && indexes.size() > 20) return invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20");
  }
  return std::nullopt;
}

}  // namespace

Result<Json> DynamoDbApi::createTable(const RequestContext& c, const Json& in) {
  if (auto error = checkTableSchema(in)) return *error;
  std::string name = in["TableName"];
  const Json& schema = in["KeySchema"];
  const Json& definitions = in["AttributeDefinitions"];
  if (schema.empty() || schema.size() > 2 || schema[0]["KeyType"] != "HASH" ||
      (schema.size() == 2 && schema[1]["KeyType"] != "RANGE")) {
    return invalid("Invalid KeySchema: the first element must be HASH, an optional second RANGE");
  }
  for (const auto& element : schema) {
    auto it = std::find_if(definitions.begin(), definitions.end(),
                           [&](const Json& d) { return d["AttributeName"] == element["AttributeName"]; });
    if (it == definitions.end()) {
      return invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                     element["AttributeName"].get<std::string>() + "]");
    }
    std::string type = (*it)["AttributeType"];
    if (type != "S" && type != "N" && type != "B") return invalid("Invalid key attribute type " + type);
  }
  std::string billing = in.value("BillingMode", "PROVISIONED");
  // Secondary indexes, and every attribute definition used by some key.
  std::set<std::string> keyAttributes;
  for (const auto& element : schema) keyAttributes.insert(element["AttributeName"].get<std::string>());
  Json globalIndexes, localIndexes;
  if (in.contains("GlobalSecondaryIndexes")) {
    auto described = globalIndexDescriptions(in, in["GlobalSecondaryIndexes"], tableArn(c, name),
                                             billing == "PROVISIONED", keyAttributes);
    if (!described) return described.error();
    globalIndexes = *described;
  }
  if (in.contains("LocalSecondaryIndexes")) {
    auto described = localIndexDescriptions(in, in["LocalSecondaryIndexes"], tableArn(c, name), keyAttributes);
    if (!described) return described.error();
    localIndexes = *described;
  }
  std::set<std::string> indexNames;
  for (const Json* list : {&globalIndexes, &localIndexes}) {
    if (list->is_null()) continue;
    for (const Json& index : *list) {
      if (!indexNames.insert(index["IndexName"].get<std::string>()).second) {
        return invalid("Duplicate index name: " + index["IndexName"].get<std::string>());
      }
    }
  }
  if (definitions.size() != keyAttributes.size()) {
    return invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in "
                   "AttributeDefinitions");
  }
  if (billing == "PROVISIONED" && !in.contains("ProvisionedThroughput")) {
    return invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
  }
  if (billing == "PAY_PER_REQUEST" && in.contains("ProvisionedThroughput")) {
    return invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  if (in.contains("ProvisionedThroughput")) {
    if (auto error = checkThroughputLimit(in["ProvisionedThroughput"])) return *error;
  }
  double now = toEpochSeconds(clock_->now());
  Json description = {{"TableName", name},
                      {"TableArn", tableArn(c, name)},
                      {"TableId", newUuid()},
                      {"KeySchema", schema},
                      {"AttributeDefinitions", definitions},
                      {"TableStatus", "ACTIVE"},
                      {"CreationDateTime", now},
                      {"ItemCount", 0},
                      {"TableSizeBytes", 0},
                      {"DeletionProtectionEnabled", in.value("DeletionProtectionEnabled", false)},
                      {"BillingModeSummary", {{"BillingMode", billing}, {"LastUpdateToPayPerRequestDateTime", now}}}};
  Json throughput = {{"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}};
  if (in.contains("ProvisionedThroughput")) {
    throughput["ReadCapacityUnits"] = in["ProvisionedThroughput"]["ReadCapacityUnits"];
    throughput["WriteCapacityUnits"] = in["ProvisionedThroughput"]["WriteCapacityUnits"];
  }
  description["ProvisionedThroughput"] = throughput;
  if (!globalIndexes.is_null()) description["GlobalSecondaryIndexes"] = globalIndexes;
  if (!localIndexes.is_null()) description["LocalSecondaryIndexes"] = localIndexes;
  if (in.contains("SSESpecification") && in["SSESpecification"].value("Enabled", false)) {
    // Backups of the table are sealed under this key (backup_handlers.cpp).
    std::string keyRef = in["SSESpecification"].value("KMSMasterKeyId", "alias/aws/dynamodb");
    if (keys_ == nullptr) return invalid("KMS is not available on this Kura server.");
    auto key = keys_->usableKey({c.accountId, c.region}, keyRef);
    if (!key) return invalid("KMSMasterKeyId " + keyRef + " is not usable: " + key.error().message);
    description["SSEDescription"] = {{"Status", "ENABLED"}, {"SSEType", "KMS"}, {"KMSMasterKeyArn", key->arn()}};
  }
  Json tags = Json::array();
  for (const auto& tag : in.value("Tags", Json::array())) tags.push_back(tag);
  description["_tags"] = tags;
  StreamChange stream;
  if (auto error = stream.apply(c, in, description, clock_->now())) return *error;
  auto created = store_.createTable({c.accountId, c.region, name}, description,
                                    StreamChange::asked(in) ? stream.writes(store_) : AlsoWrite{});
  if (!created) return created.error();
  Json view = describe(*created, false);
  view["TableStatus"] = "CREATING";  // as DynamoDB answers; it is ACTIVE at once
  return Json{{"TableDescription", view}};
}

Result<Json> DynamoDbApi::describeTable(const RequestContext& c, const Json& in) {
  auto table = store_.table({c.accountId, c.region, in["TableName"]});
  if (!table) {
    return ApiError::sender("ResourceNotFoundException",
                            "Requested resource not found: Table: " + in["TableName"].get<std::string>() + " not found");
  }
  return Json{{"Table", describe(*table, true)}};
}

Result<Json> DynamoDbApi::listTables(const RequestContext& c, const Json& in) {
  // One name more than the page tells whether another page follows; the
  // store reads no further, however many tables the region has.
  size_t limit = in.value("Limit", 100);
  auto names = store_.tableNames(c.accountId, c.region, in.value("ExclusiveStartTableName", ""), limit + 1);
  Json out = {{"TableNames", Json::array()}};
  for (size_t i = 0; i < names.size() && i < limit; ++i) out["TableNames"].push_back(names[i]);
  if (names.size() > limit) out["LastEvaluatedTableName"] = names[limit - 1];
  return out;
}

Result<Json> DynamoDbApi::deleteTable(const RequestContext& c, const Json& in) {
  auto table = requireTable(c, in["TableName"]);
  if (!table) return table.error();
  if (table->value("DeletionProtectionEnabled", false)) {
    return ApiError::sender("ValidationException",
                            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
                            "protection first.");
  }
  if (table->contains("_pitr") && (*table)["_pitr"].value("Enabled", false)) {
    // As DynamoDB does: point-in-time recovery leaves a system backup of the
    // table as it was deleted, restorable for 35 days. No backup, no delete.
    auto kept = backUp(c, *table, (*table)["TableName"].get<std::string>() + "$DeletedTableBackup", "SYSTEM");
    if (!kept) return kept.error();
  }
  StreamChange stream;  // its stream is closed, readable for 24 hours
  stream.closeWith(*table, clock_->now());
  auto deleted = store_.deleteTable({c.accountId, c.region, in["TableName"]},
                                    StreamChange::enabled(*table) ? stream.writes(store_) : AlsoWrite{});
  if (!deleted) return deleted.error();
  globalTables_.replicaDeleted(c, *deleted);
  store_.dropItemStamps((*deleted)["_id"]);
  Json view = describe(*deleted, false);
  view["TableStatus"] = "DELETING";
  return Json{{"TableDescription", view}};
}

Result<Json> DynamoDbApi::updateGlobalIndexes(const RequestContext& c, const Json& in) {
  const Json& updates = in["GlobalSecondaryIndexUpdates"];
  // DynamoDB's checks in its order: an empty list, an entry naming no
  // action, an index named twice, then more than one index at a time.
  if (updates.empty()) {
    return ApiError::sender("ValidationException",
                            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
  }
  std::set<std::string> named;
  for (const Json& update : updates) {
    const Json* action = nullptr;
    for (const char* kind : {"Create", "Update", "Delete"}) {
      if (update.contains(kind) && update[kind].is_object()) action = &update[kind];
    }
    if (action == nullptr) {
      return invalid("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                     "GlobalSecondaryIndexUpdate.Delete must not be null");
    }
    std::string index = action->value("IndexName", "");
    if (!named.insert(index).second) {
      return invalid("Only one global secondary index update per index is allowed simultaneously. Index: " + index);
    }
  }
  if (updates.size() != 1) {
    return invalid("Only one global secondary index Create, Update or Delete is allowed per UpdateTable call");
  }
  const Json& update = updates[0];
  std::optional<IndexDef> created;
  std::string deleted;
  auto updated = store_.updateTable({c.accountId, c.region, in["TableName"]}, [&](Json& table) -> std::optional<ApiError> {
    Json& indexes = table["GlobalSecondaryIndexes"];
    if (indexes.is_null()) indexes = Json::array();
    auto named = [&](const std::string& name) {
      return std::find_if(indexes.begin(), indexes.end(), [&](const Json& i) { return i["IndexName"] == name; });
    };
    if (update.contains("Create")) {
      const Json& index = update["Create"];
      std::string name = index["IndexName"];
      for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
        for (const Json& existing : table.value(kind, Json::array())) {
          if (existing["IndexName"] == name) {
            return ApiError::sender("ValidationException", "Attempting to create an index which already exists");
          }
        }
      }
      // New key attributes are defined by the request's AttributeDefinitions.
      Json request = {{"AttributeDefinitions", table["AttributeDefinitions"]}, {"KeySchema", table["KeySchema"]}};
      for (const Json& definition : in.value("AttributeDefinitions", Json::array())) {
        auto& defs = request["AttributeDefinitions"];
        auto it = std::find_if(defs.begin(), defs.end(),
                               [&](const Json& d) { return d["AttributeName"] == definition["AttributeName"]; });
        if (it == defs.end()) defs.push_back(definition);
        else if ((*it)["AttributeType"] != definition["AttributeType"]) {
          return invalid("Cannot change the type of attribute " + definition["AttributeName"].get<std::string>());
        }
      }
      std::set<std::string> keys;
      bool provisioned = table["BillingModeSummary"].value("BillingMode", "PROVISIONED") == "PROVISIONED";
      auto described = globalIndexDescriptions(request, Json::array({index}), tableArn(c, in["TableName"]),
                                               provisioned, keys);
      if (!described) return described.error();
      if (indexes.size() >= 20) {
        return ApiError::sender("LimitExceededException", "A table has at most 20 global secondary indexes");
      }
      table["AttributeDefinitions"] = request["AttributeDefinitions"];
      indexes.push_back((*described)[0]);
      created = indexesOf(Json{{"GlobalSecondaryIndexes", *described}})[0];
    } else if (update.contains("Delete")) {
      std::string name = update["Delete"]["IndexName"];
      auto it = named(name);
      if (it == indexes.end()) {
        return ApiError::sender("ResourceNotFoundException", "Requested resource not found: Index: " + name + " not found");
      }
      indexes.erase(it);
      deleted = name;
    } else {
      std::string name = update["Update"]["IndexName"];
      auto it = named(name);
      if (it == indexes.end()) {
        return ApiError::sender("ResourceNotFoundException", "Requested resource not found: Index: " + name + " not found");
      }
      if (update["Update"].contains("ProvisionedThroughput")) {
        (*it)["ProvisionedThroughput"]["ReadCapacityUnits"] = update["Update"]["ProvisionedThroughput"]["ReadCapacityUnits"];
        (*it)["ProvisionedThroughput"]["WriteCapacityUnits"] = update["Update"]["ProvisionedThroughput"]["WriteCapacityUnits"];
      }
    }
    if (indexes.empty()) table.erase("GlobalSecondaryIndexes");
    return std::nullopt;
  });
  if (!updated) return updated.error();
  // The new index is filled from the table's items before the call answers:
  // it is ACTIVE and complete at once.
  if (created) {
    if (auto built = store_.buildIndex((*updated)["_id"], *created); !built) return built.error();
  }
  if (!deleted.empty()) {
    if (auto dropped = store_.dropIndex((*updated)["_id"], deleted); !dropped) return dropped.error();
  }
  return Json{{"TableDescription", describe(*updated, false)}};
}

Result<Json> DynamoDbApi::updateTable(const RequestContext& c, const Json& in) {
  // Throughput beyond DynamoDB's bound is refused before anything else, in its words.
  for (const char* units : {"ReadCapacityUnits", "WriteCapacityUnits"}) {
    const Json throughput = in.value("ProvisionedThroughput", Json::object());
    if (throughput.contains(units) && throughput[units].is_number() && throughput[units].get<double>() > 1e12) {
      return ApiError::sender("ValidationException",
                              "Given value " + throughput[units].dump() + " for " + units + " is out of bounds");
    }
  }
  if (in.contains("GlobalSecondaryIndexUpdates")) {
    auto done = updateGlobalIndexes(c, in);
    // A global table's indexes are every replica's, as DynamoDB propagates them.
    if (done) {
      for (const std::string& region : globalTables_.otherRegions(c, in["TableName"])) {
        RequestContext there = c;
        there.region = region;
        updateGlobalIndexes(there, in);
      }
    }
    return done;
  }
  if (in.contains("ReplicaUpdates")) {
    auto replicated = globalTables_.updateReplicas(c, in);
    if (!replicated) return replicated.error();
    return Json{{"TableDescription", describe(*replicated, false)}};
  }
  if (in.contains("ProvisionedThroughput")) {
    if (auto error = checkThroughputLimit(in["ProvisionedThroughput"])) return *error;
  }
  StreamChange stream;
  auto updated = store_.updateTable({c.accountId, c.region, in["TableName"]}, [&](Json& table) -> std::optional<ApiError> {
    if (auto error = checkReplicaStreamChange(table, in)) return error;
    if (auto error = stream.apply(c, in, table, clock_->now())) return error;
    if (in.contains("DeletionProtectionEnabled")) table["DeletionProtectionEnabled"] = in["DeletionProtectionEnabled"];
    if (in.contains("BillingMode")) {
      std::string mode = in["BillingMode"];
      if (mode == "PROVISIONED" && !in.contains("ProvisionedThroughput")) {
        return invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
      }
      table["BillingModeSummary"]["BillingMode"] = mode;
    }
    if (in.contains("ProvisionedThroughput")) {
      if (table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST") {
        return invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
      }
      table["ProvisionedThroughput"]["ReadCapacityUnits"] = in["ProvisionedThroughput"]["ReadCapacityUnits"];
      table["ProvisionedThroughput"]["WriteCapacityUnits"] = in["ProvisionedThroughput"]["WriteCapacityUnits"];
    }
    return std::nullopt;
  }, StreamChange::asked(in) ? stream.writes(store_) : AlsoWrite{});
  if (!updated) return updated.error();
  globalTables_.shareWriteCapacity(c, *updated);
  return Json{{"TableDescription", describe(*updated, false)}};
}

Result<Json> DynamoDbApi::tagResource(const RequestContext& c, const Json& in) {
  if (auto invalid = checkTaggedArn(in["ResourceArn"])) return *invalid;
  if (in["Tags"].empty()) return ApiError::sender("ValidationException", "Atleast one Tag needs to be provided as Input.");
  auto name = tableFromArn(c, in["ResourceArn"]);
  if (!name) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  auto updated = store_.updateTable({c.accountId, c.region, *name}, [&](Json& table) -> std::optional<ApiError> {
    Json& tags = table["_tags"];
    for (const auto& tag : in["Tags"]) {
      auto it = std::find_if(tags.begin(), tags.end(), [&](const Json& t) { return t["Key"] == tag["Key"]; });
      if (it != tags.end()) *it = tag;
      else tags.push_back(tag);
    }
    return std::nullopt;
  });
  if (!updated) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  return Json::object();
}

Result<Json> DynamoDbApi::untagResource(const RequestContext& c, const Json& in) {
  if (auto invalid = checkTaggedArn(in["ResourceArn"])) return *invalid;
  if (in["TagKeys"].empty()) {
    return ApiError::sender("ValidationException", "Atleast one Tag Key needs to be provided as Input.");
  }
  auto name = tableFromArn(c, in["ResourceArn"]);
  if (!name) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  auto updated = store_.updateTable({c.accountId, c.region, *name}, [&](Json& table) -> std::optional<ApiError> {
    Json kept = Json::array();
    auto keys = in["TagKeys"].get<std::vector<std::string>>();
    for (const auto& tag : table["_tags"]) {
      if (std::find(keys.begin(), keys.end(), tag["Key"].get<std::string>()) == keys.end()) kept.push_back(tag);
    }
    table["_tags"] = kept;
    return std::nullopt;
  });
  if (!updated) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  return Json::object();
}

Result<Json> DynamoDbApi::listTags(const RequestContext& c, const Json& in) {
  if (auto invalid = checkTaggedArn(in["ResourceArn"])) return *invalid;
  auto name = tableFromArn(c, in["ResourceArn"]);
  if (!name) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  auto table = requireTable(c, *name);
  if (!table) return table.error();
  return Json{{"Tags", table->value("_tags", Json::array())}};
}

Result<Json> DynamoDbApi::updateTimeToLive(const RequestContext& c, const Json& in) {
  const Json& spec = in["TimeToLiveSpecification"];
  bool enable = spec["Enabled"];
  std::string attribute = spec["AttributeName"];
  auto updated = store_.updateTable({c.accountId, c.region, in["TableName"]}, [&](Json& table) -> std::optional<ApiError> {
    Json current = table.value("_ttl", Json{{"Enabled", false}});
    if (enable && current.value("Enabled", false)) {
      return ApiError::sender("ValidationException", "TimeToLive is already enabled");
    }
    if (!enable && !current.value("Enabled", false)) {
      return ApiError::sender("ValidationException", "TimeToLive is already disabled");
    }
    if (!enable && current.value("AttributeName", "") != attribute) {
      return ApiError::sender("ValidationException",
                              "TimeToLive is enabled on a different attribute: " + current.value("AttributeName", ""));
    }
    table["_ttl"] = {{"Enabled", enable}, {"AttributeName", attribute}};
    return std::nullopt;
  });
  if (!updated) return updated.error();
  globalTables_.shareTimeToLive(c, *updated);
  return Json{{"TimeToLiveSpecification", {{"Enabled", enable}, {"AttributeName", attribute}}}};
}

Result<Json> DynamoDbApi::describeTimeToLive(const RequestContext& c, const Json& in) {
  auto table = requireTable(c, in["TableName"]);
  if (!table) return table.error();
  Json ttl = table->value("_ttl", Json{{"Enabled", false}});
  Json description = {{"TimeToLiveStatus", ttl.value("Enabled", false) ? "ENABLED" : "DISABLED"}};
  if (ttl.value("Enabled", false)) description["AttributeName"] = ttl["AttributeName"];
  return Json{{"TimeToLiveDescription", description}};
}

}  // namespace kura::ddb
