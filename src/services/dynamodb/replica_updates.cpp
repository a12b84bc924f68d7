// UpdateTable's ReplicaUpdates (global tables version 2019.11.21): a
// replica created in another region (a table of its own, filled from this
// one), updated, or deleted with its table.
#include <mutex>

#include "common/ids.h"
#include "common/time_format.h"
#include "services/dynamodb/global_tables.h"
#include "services/dynamodb/stream_specification.h"

namespace kura::ddb {
namespace {

ApiError invalid(const std::string& message) {
  return ApiError::sender("ValidationException", "One or more parameter values were invalid: " + message);
}

// "<two letters>(-<letters>)+-<digit>", at most 50 characters (no region's
// name is longer), checked in one pass: std::regex recurses once per
// character, so a long name would overflow the stack.
bool validRegion(const std::string& region) {
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  size_t n = region.size();
  if (n < 6 || n > 50 || !lower(region[0]) || !lower(region[1]) || region[2] != '-') return false;
  if (region[n - 2] != '-' || region[n - 1] < '0' || region[n - 1] > '9') return false;
  // Between: one or more runs of letters, each after a '-'.
  bool afterDash = true;
  for (size_t i = 3; i < n - 2; ++i) {
    if (region[i] == '-') {
      if (afterDash) return false;
      afterDash = true;
    } else if (lower(region[i])) {
      afterDash = false;
    } else {
      return false;
    }
  }
  return !afterDash;
}

std::string tableArnIn(const std::string& region, const std::string& account, const std::string& name) {
  return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name;
}

bool newAndOldImages(const Json& table) {
  return table.contains("_stream") && table["_stream"].value("Enabled", false) &&
         table["_stream"].value("ViewType", "") == "NEW_AND_OLD_IMAGES";
}

}  // namespace

Result<Json> GlobalTables::updateReplicas(const RequestContext& c, const Json& in) {
  std::string name = in.value("TableName", "");
  const Json& updates = in["ReplicaUpdates"];
  if (!updates.is_array() || updates.empty()) return invalid("ReplicaUpdates must not be empty");
  std::lock_guard lock(setMutex_);
  for (const Json& update : updates) {
    if (!update.is_object() || update.size() != 1) {
      return invalid("One of Create, Update or Delete must be given in each ReplicationGroupUpdate");
    }
    auto table = store_.table({c.accountId, c.region, name});
    if (!table) {
      return ApiError::sender("ResourceNotFoundException", "Requested resource not found: Table: " + name + " not found");
    }
    if (isGlobal(*table) && (*table)["_global"].value("Version", "") == kLegacyVersion) {
      return ApiError::sender("ValidationException",
                              "Table " + name + " is a replica of a global table of version 2017.11.29: its replicas "
                              "are changed with UpdateGlobalTable");
    }
    const Json& action = update.begin().value();
    std::string region = action.value("RegionName", "");
    if (!validRegion(region)) return invalid("Invalid region name: " + region);
    std::string kind = update.begin().key();
    Result<Json> done = Json::object();
    if (kind == "Create") {
      done = createReplica(c, *table, action);
    } else if (kind == "Delete") {
      done = deleteReplica(c, *table, region);
    } else if (kind == "Update") {
      auto regions = replicaRegions(*table);
      if (std::find(regions.begin(), regions.end(), region) == regions.end()) {
        return invalid("Cannot update a replica that does not exist: region " + region + " of table " + name);
      }
      // The override of a replica's throughput is its own table's.
      if (action.contains("ProvisionedThroughputOverride")) {
        const Json& override = action["ProvisionedThroughputOverride"];
        store_.updateTable({c.accountId, region, name}, [&](Json& replica) -> std::optional<ApiError> {
          if (override.contains("ReadCapacityUnits")) {
            replica["ProvisionedThroughput"]["ReadCapacityUnits"] = override["ReadCapacityUnits"];
          }
          return std::nullopt;
        });
      }
    } else {
      return invalid("Unknown ReplicationGroupUpdate: " + kind);
    }
    if (!done) return done.error();
  }
  auto table = store_.table({c.accountId, c.region, name});
  if (!table) return ApiError::sender("ResourceNotFoundException", "Requested resource not found: Table: " + name + " not found");
  return *table;
}

Result<Json> GlobalTables::createReplica(const RequestContext& c, const Json& source, const Json& action) {
  std::string name = source["TableName"];
  std::string region = action["RegionName"];
  auto regions = replicaRegions(source);
  if (region == c.region || std::find(regions.begin(), regions.end(), region) != regions.end()) {
    return invalid("Cannot add replica in region " + region + ": table " + name + " already has a replica there");
  }
  if (!newAndOldImages(source)) {
    return ApiError::sender("ValidationException",
                            "Table: " + name + " must have DynamoDB Streams enabled with StreamViewType "
                            "NEW_AND_OLD_IMAGES to have replicas");
  }
  if (store_.table({c.accountId, region, name})) {
    return ApiError::sender("ValidationException", "Failed to create a the new replica of table with name: '" + name +
                                                       "' because one or more replicas already existed as tables.");
  }
  // The replica: the same schema, indexes, billing and stream, its own
  // ARNs, encrypted under a key of its region when the source is.
  Json replica = source;
  for (const char* own : {"_id", "_stream", "_global", "_pitr", "_ttl", "LatestStreamArn", "LatestStreamLabel",
                          "StreamSpecification", "SSEDescription"}) {
    replica.erase(own);
  }
  replica["TableArn"] = tableArnIn(region, c.accountId, name);
  replica["TableId"] = newUuid();
  replica["CreationDateTime"] = toEpochSeconds(now());
  replica["TableStatus"] = "CREATING";
  for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    if (!replica.contains(kind)) continue;
    for (Json& index : replica[kind]) {
      index["IndexArn"] = tableArnIn(region, c.accountId, name) + "/index/" + index.value("IndexName", "");
    }
  }
  if (source.contains("_ttl")) replica["_ttl"] = source["_ttl"];
  replica["_tags"] = Json::array();  // tags are each replica's own, as in DynamoDB
  if (action.contains("ProvisionedThroughputOverride") &&
      action["ProvisionedThroughputOverride"].contains("ReadCapacityUnits")) {
    replica["ProvisionedThroughput"]["ReadCapacityUnits"] = action["ProvisionedThroughputOverride"]["ReadCapacityUnits"];
  }
  Json replicaEntry = {{"RegionName", region}, {"ReplicaStatus", "CREATING"}};
  if (source.contains("SSEDescription") || action.contains("KMSMasterKeyId")) {
    std::string keyRef = action.value("KMSMasterKeyId", "alias/aws/dynamodb");
    if (keys_ == nullptr) return invalid("KMS is not available on this Kura server.");
    auto key = keys_->usableKey({c.accountId, region}, keyRef);
    if (!key) return invalid("KMSMasterKeyId " + keyRef + " is not usable in " + region + ": " + key.error().message);
    replica["SSEDescription"] = {{"Status", "ENABLED"}, {"SSEType", "KMS"}, {"KMSMasterKeyArn", key->arn()}};
    replicaEntry["KMSMasterKeyId"] = key->arn();
  }
  RequestContext there = c;
  there.region = region;
  StreamChange stream;
  Json enable = {{"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}}};
  if (auto error = stream.apply(there, enable, replica, now())) return *error;
  // The replica set, every region's (this one first: it fills the new one).
  Json replicas = Json::array({{{"RegionName", c.region}, {"ReplicaStatus", "ACTIVE"}}});
  if (isGlobal(source)) {
    replicas = Json::array();
    for (const Json& entry : source["_global"]["Replicas"]) {
      if (entry.value("RegionName", "") == c.region) replicas.insert(replicas.begin(), entry);
      else replicas.push_back(entry);
    }
  }
  replicas.push_back(replicaEntry);
  replica["_global"] = {{"Version", kCurrentVersion}, {"Replicas", replicas}};
  std::vector<std::string> names;
  for (const Json& entry : replicas) names.push_back(entry["RegionName"]);
  // The new table, its stream and its links in one atomic batch: a replica
  // that exists is replicated to and from, whatever happens next.
  AlsoWrite streamWrites = stream.writes(store_);
  AlsoWrite withLinks = [&](const Json& description) {
    auto out = streamWrites(description);
    auto links = newLinks(c.accountId, name, names, region, &description);
    out.insert(out.end(), links.begin(), links.end());
    return out;
  };
  auto created = store_.createTable({c.accountId, region, name}, replica, withLinks);
  if (!created) return created.error();
  writeReplicaSet(c.accountId, name, replicas, kCurrentVersion);
  return Json::object();
}

Result<Json> GlobalTables::deleteReplica(const RequestContext& c, const Json& source, const std::string& region) {
  std::string name = source["TableName"];
  auto regions = replicaRegions(source);
  if (region == c.region) {
    return invalid("Cannot delete the replica in the region of the request (" + region + "): delete it from another "
                   "replica, or delete the table");
  }
  if (std::find(regions.begin(), regions.end(), region) == regions.end()) {
    return invalid("Cannot delete a replica that does not exist: region " + region + " of table " + name);
  }
  auto replica = store_.table({c.accountId, region, name});
  if (replica) {
    if (replica->value("DeletionProtectionEnabled", false)) {
      return ApiError::sender("ValidationException",
                              "Resource cannot be deleted as it is currently protected against deletion. Disable "
                              "deletion protection first.");
    }
    unlinkRegion(c.accountId, name, region, (*replica)["_id"]);
    StreamChange stream;  // its stream is closed, readable for 24 hours
    stream.closeWith(*replica, now());
    auto deleted = store_.deleteTable({c.accountId, region, name},
                                      StreamChange::enabled(*replica) ? stream.writes(store_) : AlsoWrite{});
    if (!deleted) return deleted.error();
    store_.dropItemStamps((*deleted)["_id"]);
  }
  Json replicas = Json::array();
  for (const Json& entry : source["_global"]["Replicas"]) {
    if (entry.value("RegionName", "") != region) replicas.push_back(entry);
  }
  writeReplicaSet(c.accountId, name, replicas, kCurrentVersion);
  return Json::object();
}

}  // namespace kura::ddb
