// The replica set of a global table, as both versions of the API change it
// (see global_tables.h).
#include "services/dynamodb/global_tables.h"

#include <mutex>

namespace kura::ddb {
namespace {

std::string linkPrefix(const std::string& sourceTableId) { return "gc|" + sourceTableId + "|"; }

}  // namespace

std::string replicationCursorKey(const std::string& sourceTableId, const std::string& targetRegion) {
  return linkPrefix(sourceTableId) + targetRegion;
}

bool isGlobal(const Json& table) { return table.contains("_global"); }

std::vector<std::string> replicaRegions(const Json& table) {
  std::vector<std::string> out;
  if (!isGlobal(table)) return out;
  for (const Json& replica : table["_global"].value("Replicas", Json::array())) {
    out.push_back(replica.value("RegionName", ""));
  }
  return out;
}

void addReplicaView(const Json& table, Json& out) {
  out.erase("_global");
  if (!isGlobal(table)) return;
  const Json& global = table["_global"];
  // Version 2017.11.29's replicas are described by DescribeGlobalTable.
  if (global.value("Version", "") != kCurrentVersion) return;
  std::string own = table.value("TableArn", "");
  out["GlobalTableVersion"] = kCurrentVersion;
  Json replicas = Json::array();
  for (const Json& replica : global.value("Replicas", Json::array())) {
    // The table's own region is not one of its replicas.
    std::string region = replica.value("RegionName", "");
    if (own.find(":" + region + ":") != std::string::npos) continue;
    replicas.push_back(replica);
  }
  out["Replicas"] = replicas;
}

std::optional<ApiError> checkReplicaStreamChange(const Json& table, const Json& in) {
  if (!isGlobal(table) || !in.contains("StreamSpecification")) return std::nullopt;
  return ApiError::sender("ValidationException",
                          "One or more parameter values were invalid: Table " + table.value("TableName", "") +
                              " has replicas: its stream (NEW_AND_OLD_IMAGES, which replication reads) cannot be "
                              "disabled or changed");
}

GlobalTables::GlobalTables(TableStore& store, ClockPtr clock, kms::KeyManager* keys)
    : store_(store), clock_(std::move(clock)), keys_(keys) {}

void GlobalTables::writeReplicaSet(const std::string& account, const std::string& name, const Json& replicas,
                                   const std::string& version) {
  for (const Json& replica : replicas) {
    std::string region = replica.value("RegionName", "");
    bool alone = replicas.size() < 2 && version == kCurrentVersion;
    auto updated = store_.updateTable({account, region, name}, [&](Json& table) -> std::optional<ApiError> {
      if (alone) {
        table.erase("_global");  // one region left: a table like any other
      } else {
        table["_global"] = {{"Version", version}, {"Replicas", replicas}};
      }
      return std::nullopt;
    });
    // Its items' stamps would not follow its changes any more: a replica it
    // gets later starts from the items as they are then.
    if (alone && updated) store_.dropItemStamps((*updated)["_id"]);
  }
}

std::vector<std::pair<std::string, std::string>> GlobalTables::newLinks(const std::string& account,
                                                                      const std::string& name,
                                                                      const std::vector<std::string>& regions,
                                                                      const std::string& backfillTo,
                                                                      const Json* created) {
  // A region's table: the one being created (not stored yet), or the store's.
  auto tableIn = [&](const std::string& region) -> std::optional<Json> {
    if (created != nullptr && region == backfillTo) return *created;
    return store_.table({account, region, name});
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& from : regions) {
    auto source = tableIn(from);
    if (!source || !source->contains("_stream")) continue;
    std::string sourceId = (*source)["_id"];
    std::string streamId = (*source)["_stream"].value("Id", "");
    for (const std::string& to : regions) {
      if (to == from) continue;
      auto target = tableIn(to);
      std::string key = replicationCursorKey(sourceId, to);
      if (!target || store_.getMeta(key)) continue;
      Json link = {{"Account", account},
                   {"Region", from},
                   {"Table", name},
                   {"SourceId", sourceId},
                   {"Target", to},
                   {"TargetId", (*target)["_id"]},
                   {"StreamId", streamId},
                   {"Sequence", created != nullptr && from == backfillTo ? 0 : store_.lastStreamSequence(streamId)},
                   {"Backfill", false}};
      if (to == backfillTo && from == regions.front()) {
        link["Backfill"] = true;  // the new replica's first source fills it
      } else if (to == backfillTo) {
        // The other replicas' links start where their link to that source
        // stands: what they wrote and the source had not applied yet when
        // it was read is not lost (an older change arriving twice is
        // dropped, last writer wins).
        if (auto peer = store_.getMeta(replicationCursorKey(sourceId, regions.front()))) {
          link["Sequence"] = peer->value("Sequence", uint64_t{0});
        }
      }
      out.emplace_back(key, link.dump());
    }
  }
  return out;
}

void GlobalTables::linkRegions(const std::string& account, const std::string& name,
                               const std::vector<std::string>& regions) {
  for (const auto& [key, value] : newLinks(account, name, regions, "", nullptr)) {
    store_.putMeta(key, Json::parse(value));
  }
}

void GlobalTables::unlinkRegion(const std::string& account, const std::string& name, const std::string& region,
                                const std::string& tableId) {
  std::vector<std::string> gone;
  store_.listMeta("gc|", [&](const std::string& key, Json link) {
    if (link.value("Account", "") != account || link.value("Table", "") != name) return;
    if (link.value("Target", "") == region || key.rfind(linkPrefix(tableId), 0) == 0) gone.push_back(key);
  });
  for (const std::string& key : gone) store_.deleteMeta(key);
}

std::vector<std::string> GlobalTables::otherRegions(const RequestContext& c, const std::string& name) {
  std::vector<std::string> out;
  auto table = store_.tableShared({c.accountId, c.region, name});
  if (!table) return out;
  for (const std::string& region : replicaRegions(*table)) {
    if (region != c.region) out.push_back(region);
  }
  return out;
}

void GlobalTables::shareTimeToLive(const RequestContext& c, const Json& table) {
  if (!table.contains("_ttl")) return;
  for (const std::string& region : otherRegions(c, table["TableName"])) {
    store_.updateTable({c.accountId, region, table["TableName"]}, [&](Json& replica) -> std::optional<ApiError> {
      replica["_ttl"] = table["_ttl"];
      return std::nullopt;
    });
  }
}

void GlobalTables::shareWriteCapacity(const RequestContext& c, const Json& table) {
  if (!isGlobal(table)) return;
  for (const std::string& region : otherRegions(c, table["TableName"])) {
    store_.updateTable({c.accountId, region, table["TableName"]}, [&](Json& replica) -> std::optional<ApiError> {
      replica["BillingModeSummary"]["BillingMode"] = table["BillingModeSummary"]["BillingMode"];
      replica["ProvisionedThroughput"]["WriteCapacityUnits"] = table["ProvisionedThroughput"]["WriteCapacityUnits"];
      return std::nullopt;
    });
  }
}

void GlobalTables::markActive(const std::string& account, const std::string& name, const std::string& region) {
  std::lock_guard lock(setMutex_);
  auto table = store_.table({account, region, name});
  if (!table || !isGlobal(*table)) return;
  Json replicas = (*table)["_global"]["Replicas"];
  for (Json& replica : replicas) {
    if (replica.value("RegionName", "") == region) replica["ReplicaStatus"] = "ACTIVE";
  }
  writeReplicaSet(account, name, replicas, (*table)["_global"].value("Version", kCurrentVersion));
  store_.updateTable({account, region, name}, [](Json& description) -> std::optional<ApiError> {
    description["TableStatus"] = "ACTIVE";
    return std::nullopt;
  });
}

void GlobalTables::replicaDeleted(const RequestContext& c, const Json& table) {
  if (!isGlobal(table)) return;
  std::lock_guard lock(setMutex_);
  std::string name = table["TableName"];
  unlinkRegion(c.accountId, name, c.region, table["_id"]);
  Json replicas = Json::array();
  for (const Json& replica : table["_global"]["Replicas"]) {
    if (replica.value("RegionName", "") != c.region) replicas.push_back(replica);
  }
  std::string version = table["_global"].value("Version", kCurrentVersion);
  writeReplicaSet(c.accountId, name, replicas, version);
  if (version == kLegacyVersion) dropLegacyMember(c.accountId, name, c.region);
}

}  // namespace kura::ddb
