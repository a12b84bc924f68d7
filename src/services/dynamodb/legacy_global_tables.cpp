// Global tables version 2017.11.29 (legacy): CreateGlobalTable,
// DescribeGlobalTable, UpdateGlobalTable, ListGlobalTables,
// DescribeGlobalTableSettings and UpdateGlobalTableSettings, on the same
// replication as version 2019.11.21 (global_tables.h). A legacy global
// table is a record of the account (gg|<account>|<name>: its creation
// time) over tables that exist in each region, empty when they join, with
// streams of NEW_AND_OLD_IMAGES; its replica set is in each table's
// "_global" with Version 2017.11.29.
#include <algorithm>
#include <map>
#include <mutex>

#include "common/time_format.h"
#include "services/dynamodb/global_tables.h"

namespace kura::ddb {
namespace {

std::string recordKey(const std::string& account, const std::string& name) { return "gg|" + account + "|" + name; }

ApiError notFound(const std::string& name) {
  return ApiError::sender("GlobalTableNotFoundException",
                          "Global table not found: Global table with name: '" + name + "' does not exist.");
}


// What every member of a legacy global table must share: the key schema,
// the indexes (names and keys), and for a provisioned table the write
// capacity. Empty when `table` matches `other`, else what differs.
std::string differenceOf(const Json& table, const Json& other) {
  if (table["KeySchema"] != other["KeySchema"]) return "the same key schema";
  for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    std::map<std::string, Json> mine, theirs;
    for (const Json& index : table.value(kind, Json::array())) mine[index.value("IndexName", "")] = index["KeySchema"];
    for (const Json& index : other.value(kind, Json::array())) theirs[index.value("IndexName", "")] = index["KeySchema"];
    if (mine != theirs) return std::string("the same ") + (kind[0] == 'G' ? "global" : "local") + " secondary indexes";
  }
  auto billing = [](const Json& t) { return t["BillingModeSummary"].value("BillingMode", "PROVISIONED"); };
  if (billing(table) != billing(other)) return "the same billing mode";
  if (billing(table) == "PROVISIONED" &&
      table["ProvisionedThroughput"]["WriteCapacityUnits"] != other["ProvisionedThroughput"]["WriteCapacityUnits"]) {
    return "the same provisioned write capacity";
  }
  return "";
}

ApiError differs(const std::string& name, const std::string& region, const std::string& what) {
  return ApiError::sender("ValidationException", "One or more parameter values were invalid: Table: " + name +
                                                     " in region " + region + " does not have " + what +
                                                     " as the other replicas");
}

}  // namespace

void GlobalTables::registerLegacyHandlers(HandlerTable& handlers) {
  auto bind = [this, &handlers](const char* name, Result<Json> (GlobalTables::*method)(const RequestContext&, const Json&)) {
    handlers.add(name, [this, method](const RequestContext& c, const Json& in) { return (this->*method)(c, in); });
  };
  bind("CreateGlobalTable", &GlobalTables::createGlobalTable);
  bind("DescribeGlobalTable", &GlobalTables::describeGlobalTable);
  bind("UpdateGlobalTable", &GlobalTables::updateGlobalTable);
  bind("ListGlobalTables", &GlobalTables::listGlobalTables);
  bind("DescribeGlobalTableSettings", &GlobalTables::describeGlobalTableSettings);
  bind("UpdateGlobalTableSettings", &GlobalTables::updateGlobalTableSettings);
}

std::optional<ApiError> GlobalTables::checkLegacyMember(const RequestContext& c, const std::string& name,
                                                        const std::string& region, bool mustBeEmpty) {
  auto table = store_.table({c.accountId, region, name});
  if (!table) {
    return ApiError::sender("TableNotFoundException", "Table: " + name + " not found in region " + region);
  }
  if (isGlobal(*table)) {
    return ApiError::sender("ValidationException", "Table: " + name + " in region " + region +
                                                       " is already a replica of a global table");
  }
  if (!table->contains("_stream") || !(*table)["_stream"].value("Enabled", false) ||
      (*table)["_stream"].value("ViewType", "") != "NEW_AND_OLD_IMAGES") {
    return ApiError::sender("ValidationException", "One or more parameter values were invalid: Table: " + name +
                                                       " in region " + region +
                                                       " must have DynamoDB Streams enabled with StreamViewType "
                                                       "NEW_AND_OLD_IMAGES");
  }
  if (mustBeEmpty) {
    bool empty = true;
    store_.scanItems((*table)["_id"], "", "", [&](const std::string&, Json) {
      empty = false;
      return false;
    });
    if (!empty) {
      return ApiError::sender("ValidationException", "One or more parameter values were invalid: Table: " + name +
                                                         " in region " + region + " must be empty to join a global table");
    }
  }
  return std::nullopt;
}

void GlobalTables::dropLegacyMember(const std::string& account, const std::string& name, const std::string& region) {
  std::lock_guard lock(setMutex_);
  auto record = store_.getMeta(recordKey(account, name));
  if (!record) return;
  std::vector<std::string> regions = record->value("Regions", std::vector<std::string>());
  regions.erase(std::remove(regions.begin(), regions.end(), region), regions.end());
  (*record)["Regions"] = regions;
  store_.putMeta(recordKey(account, name), *record);
}

Result<Json> GlobalTables::legacyDescription(const RequestContext& c, const std::string& name) {
  auto record = store_.getMeta(recordKey(c.accountId, name));
  if (!record) return notFound(name);
  Json group = Json::array();
  // The replica set as the tables have it (any member's is everyone's).
  for (const std::string& region : record->value("Regions", std::vector<std::string>())) {
    auto table = store_.table({c.accountId, region, name});
    if (!table || !isGlobal(*table)) continue;
    for (const Json& replica : (*table)["_global"]["Replicas"]) {
      group.push_back({{"RegionName", replica["RegionName"]}, {"ReplicaStatus", replica.value("ReplicaStatus", "ACTIVE")}});
    }
    break;
  }
  return Json{{"ReplicationGroup", group},
              {"GlobalTableArn", "arn:aws:dynamodb::" + c.accountId + ":global-table/" + name},
              {"CreationDateTime", (*record)["CreationDateTime"]},
              {"GlobalTableStatus", "ACTIVE"},
              {"GlobalTableName", name}};
}

Result<Json> GlobalTables::createGlobalTable(const RequestContext& c, const Json& in) {
  std::string name = in.value("GlobalTableName", "");
  std::lock_guard lock(setMutex_);
  if (store_.getMeta(recordKey(c.accountId, name))) {
    return ApiError::sender("GlobalTableAlreadyExistsException", "Global table with this name already exists");
  }
  std::vector<std::string> regions;
  for (const Json& member : in.value("ReplicationGroup", Json::array())) {
    std::string region = member.value("RegionName", "");
    if (std::find(regions.begin(), regions.end(), region) != regions.end()) {
      return ApiError::sender("ValidationException",
                              "One or more parameter values were invalid: Duplicate region in ReplicationGroup: " + region);
    }
    regions.push_back(region);
  }
  if (regions.empty()) {
    return ApiError::sender("ValidationException", "One or more parameter values were invalid: ReplicationGroup is empty");
  }
  std::optional<Json> first;
  for (const std::string& region : regions) {
    if (auto error = checkLegacyMember(c, name, region, true)) return *error;
    auto table = store_.table({c.accountId, region, name});
    if (!first) first = table;
    else if (std::string what = differenceOf(*table, *first); !what.empty()) return differs(name, region, what);
  }
  Json replicas = Json::array();
  for (const std::string& region : regions) replicas.push_back({{"RegionName", region}, {"ReplicaStatus", "ACTIVE"}});
  store_.putMeta(recordKey(c.accountId, name), {{"CreationDateTime", toEpochSeconds(now())}, {"Regions", regions}});
  writeReplicaSet(c.accountId, name, replicas, kLegacyVersion);
  linkRegions(c.accountId, name, regions);
  auto described = legacyDescription(c, name);
  if (!described) return described.error();
  (*described)["GlobalTableStatus"] = "CREATING";  // as DynamoDB answers; it is ACTIVE at once
  return Json{{"GlobalTableDescription", *described}};
}

Result<Json> GlobalTables::describeGlobalTable(const RequestContext& c, const Json& in) {
  auto described = legacyDescription(c, in.value("GlobalTableName", ""));
  if (!described) return described.error();
  return Json{{"GlobalTableDescription", *described}};
}

Result<Json> GlobalTables::updateGlobalTable(const RequestContext& c, const Json& in) {
  std::string name = in.value("GlobalTableName", "");
  std::lock_guard lock(setMutex_);
  auto record = store_.getMeta(recordKey(c.accountId, name));
  if (!record) return notFound(name);
  std::vector<std::string> regions = record->value("Regions", std::vector<std::string>());
  for (const Json& update : in.value("ReplicaUpdates", Json::array())) {
    if (update.contains("Create")) {
      std::string region = update["Create"].value("RegionName", "");
      if (std::find(regions.begin(), regions.end(), region) != regions.end()) {
        return ApiError::sender("ReplicaAlreadyExistsException", "Replica already exists in region: " + region);
      }
      if (auto error = checkLegacyMember(c, name, region, true)) return *error;
      for (const std::string& member : regions) {
        auto joining = store_.table({c.accountId, region, name});
        auto existing = store_.table({c.accountId, member, name});
        if (!existing) continue;
        if (std::string what = differenceOf(*joining, *existing); !what.empty()) return differs(name, region, what);
        break;
      }
      regions.push_back(region);
    } else if (update.contains("Delete")) {
      std::string region = update["Delete"].value("RegionName", "");
      auto it = std::find(regions.begin(), regions.end(), region);
      if (it == regions.end()) {
        return ApiError::sender("ReplicaNotFoundException", "Replica does not exist in region: " + region);
      }
      regions.erase(it);
      // The table stays, a table like any other.
      if (auto table = store_.table({c.accountId, region, name})) {
        unlinkRegion(c.accountId, name, region, (*table)["_id"]);
        store_.updateTable({c.accountId, region, name}, [](Json& description) -> std::optional<ApiError> {
          description.erase("_global");
          return std::nullopt;
        });
      }
    } else {
      return ApiError::sender("ValidationException",
                              "One or more parameter values were invalid: a ReplicaUpdate must have Create or Delete");
    }
  }
  Json replicas = Json::array();
  for (const std::string& region : regions) replicas.push_back({{"RegionName", region}, {"ReplicaStatus", "ACTIVE"}});
  (*record)["Regions"] = regions;
  store_.putMeta(recordKey(c.accountId, name), *record);
  writeReplicaSet(c.accountId, name, replicas, kLegacyVersion);
  linkRegions(c.accountId, name, regions);
  auto described = legacyDescription(c, name);
  if (!described) return described.error();
  return Json{{"GlobalTableDescription", *described}};
}

Result<Json> GlobalTables::listGlobalTables(const RequestContext& c, const Json& in) {
  std::string region = in.value("RegionName", "");
  std::string after = in.value("ExclusiveStartGlobalTableName", "");
  size_t limit = in.value("Limit", 100);
  if (limit == 0) limit = 100;
  Json tables = Json::array();
  std::string last;
  bool more = false;
  std::string prefix = "gg|" + c.accountId + "|";
  store_.listMeta(prefix, [&](const std::string& key, Json record) {
    std::string name = key.substr(prefix.size());
    if (!after.empty() && name <= after) return;
    std::vector<std::string> regions = record.value("Regions", std::vector<std::string>());
    if (!region.empty() && std::find(regions.begin(), regions.end(), region) == regions.end()) return;
    if (tables.size() >= limit) {
      more = true;
      return;
    }
    Json group = Json::array();
    for (const std::string& member : regions) group.push_back({{"RegionName", member}});
    tables.push_back({{"GlobalTableName", name}, {"ReplicationGroup", group}});
    last = name;
  });
  Json out = {{"GlobalTables", tables}};
  if (more) out["LastEvaluatedGlobalTableName"] = last;
  return out;
}

Result<Json> GlobalTables::describeGlobalTableSettings(const RequestContext& c, const Json& in) {
  std::string name = in.value("GlobalTableName", "");
  auto record = store_.getMeta(recordKey(c.accountId, name));
  if (!record) return notFound(name);
  Json settings = Json::array();
  for (const std::string& region : record->value("Regions", std::vector<std::string>())) {
    auto table = store_.table({c.accountId, region, name});
    if (!table) continue;
    Json replica = {{"RegionName", region},
                    {"ReplicaStatus", "ACTIVE"},
                    {"ReplicaBillingModeSummary", (*table)["BillingModeSummary"]},
                    {"ReplicaProvisionedReadCapacityUnits", (*table)["ProvisionedThroughput"]["ReadCapacityUnits"]},
                    {"ReplicaProvisionedWriteCapacityUnits", (*table)["ProvisionedThroughput"]["WriteCapacityUnits"]}};
    Json indexes = Json::array();
    for (const Json& index : table->value("GlobalSecondaryIndexes", Json::array())) {
      Json throughput = index.value("ProvisionedThroughput", Json::object());
      indexes.push_back({{"IndexName", index["IndexName"]},
                         {"IndexStatus", index.value("IndexStatus", "ACTIVE")},
                         {"ProvisionedReadCapacityUnits", throughput.value("ReadCapacityUnits", 0)},
                         {"ProvisionedWriteCapacityUnits", throughput.value("WriteCapacityUnits", 0)}});
    }
    if (!indexes.empty()) replica["ReplicaGlobalSecondaryIndexSettings"] = indexes;
    settings.push_back(replica);
  }
  return Json{{"GlobalTableName", name}, {"ReplicaSettings", settings}};
}

Result<Json> GlobalTables::updateGlobalTableSettings(const RequestContext& c, const Json& in) {
  std::string name = in.value("GlobalTableName", "");
  auto record = store_.getMeta(recordKey(c.accountId, name));
  if (!record) return notFound(name);
  std::vector<std::string> regions = record->value("Regions", std::vector<std::string>());
  for (const Json& update : in.value("ReplicaSettingsUpdate", Json::array())) {
    std::string region = update.value("RegionName", "");
    if (std::find(regions.begin(), regions.end(), region) == regions.end()) {
      return ApiError::sender("ReplicaNotFoundException", "Replica does not exist in region: " + region);
    }
  }
  // Billing and write capacity are the global table's, read capacity each replica's.
  for (const std::string& region : regions) {
    auto updated = store_.updateTable({c.accountId, region, name}, [&](Json& table) -> std::optional<ApiError> {
      if (in.contains("GlobalTableBillingMode")) table["BillingModeSummary"]["BillingMode"] = in["GlobalTableBillingMode"];
      bool provisioned = table["BillingModeSummary"].value("BillingMode", "PROVISIONED") == "PROVISIONED";
      if (in.contains("GlobalTableProvisionedWriteCapacityUnits")) {
        if (!provisioned) {
          return ApiError::sender("ValidationException",
                                  "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                                  "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        }
        table["ProvisionedThroughput"]["WriteCapacityUnits"] = in["GlobalTableProvisionedWriteCapacityUnits"];
      }
      for (const Json& update : in.value("ReplicaSettingsUpdate", Json::array())) {
        if (update.value("RegionName", "") != region || !update.contains("ReplicaProvisionedReadCapacityUnits")) continue;
        table["ProvisionedThroughput"]["ReadCapacityUnits"] = update["ReplicaProvisionedReadCapacityUnits"];
      }
      return std::nullopt;
    });
    if (!updated) return updated.error();
  }
  return describeGlobalTableSettings(c, in);
}

}  // namespace kura::ddb
