// DB cluster snapshots and cluster restores: CreateDBClusterSnapshot,
// DescribeDBClusterSnapshots, DeleteDBClusterSnapshot,
// RestoreDBClusterFromSnapshot, RestoreDBClusterToPointInTime. A restore
// makes a new cluster with no instance; its first instance, the writer, is
// made from the snapshot (or the source's backup and WAL archive).
#include <algorithm>

#include "catalog/arn.h"
#include "common/time_format.h"
#include "services/rds/cluster_records.h"
#include "services/rds/describe_paging.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"
#include "services/rds/rds_views.h"

namespace kura::rds {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

SystemTime fromEpoch(double seconds) {
  return SystemTime(std::chrono::milliseconds(static_cast<long long>(seconds * 1000)));
}

// What a restored cluster keeps from its source.
const char* const kRestoredClusterSettings[] = {"Engine", "EngineVersion", "EngineMajor", "MasterUsername",
                                                "MasterUserPasswordSealed", "StorageEncrypted", "KmsKeyId",
                                                "DatabaseName", "BackupRetentionPeriod", "PreferredBackupWindow",
                                                "PreferredMaintenanceWindow", "AvailabilityZones",
                                                "IAMDatabaseAuthenticationEnabled"};

Json restoredClusterSpec(const std::string& identifier, const Json& source) {
  Json spec = {{"DBClusterIdentifier", identifier}};
  for (const char* name : kRestoredClusterSettings) {
    if (source.contains(name)) spec[name] = source[name];
  }
  spec.emplace("BackupRetentionPeriod", 1);
  spec.emplace("PreferredBackupWindow", "17:00-17:30");
  spec.emplace("PreferredMaintenanceWindow", "sun:18:00-sun:18:30");
  return spec;
}

}  // namespace

Result<Resource> RdsApi::findClusterSnapshot(const RequestContext& c, const std::string& identifier) {
  return findOfKind(c, identifier, kClusterSnapshot, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot");
}

Result<Resource> RdsApi::recordClusterSnapshot(const RequestContext& c, const Resource& cluster,
                                               const std::string& identifier, const std::string& type,
                                               const std::vector<Tag>& tags) {
  Resource draft = clusterSnapshotDraft(cluster, identifier, type);
  return catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kClusterSnapshot, identifier).ok()) {
      return ApiError::sender("DBClusterSnapshotAlreadyExistsFault",
                              "Cannot create the cluster snapshot because one with the identifier " + identifier +
                                  " already exists.");
    }
    auto created = catalog_.createResource(draft);
    if (!created) return created;
    std::vector<Tag> all = tags;
    if (cluster.spec.value("CopyTagsToSnapshot", false) && tags.empty()) all = catalog_.listTags(cluster.arn);
    catalog_.addTags(created->arn, all);
    addEvent(*created, "Creating manual cluster snapshot", {"backup"});
    return created;
  });
}

Result<Json> RdsApi::createClusterSnapshot(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBClusterSnapshotIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBClusterSnapshotIdentifier", 255)) return *error;
  auto cluster = findCluster(c, in["DBClusterIdentifier"]);
  if (!cluster) return cluster.error();
  if (cluster->status != kAvailable) {
    return ApiError::sender("InvalidDBClusterStateFault", "DB cluster " + cluster->name + " is not available.");
  }
  bool hasData = !cluster->state.value("Writer", "").empty() || cluster->state.value("HasVolume", false);
  if (!hasData) {
    return ApiError::sender("InvalidDBClusterStateFault",
                            "DB cluster " + cluster->name + " holds no data yet: add an instance first.");
  }
  auto snapshot = recordClusterSnapshot(c, *cluster, identifier, "manual", tagsFromInput(in));
  if (!snapshot) return snapshot.error();
  reconciler_.wake();
  return Json{{"DBClusterSnapshot", clusterSnapshotView(*snapshot, catalog_.listTags(snapshot->arn))}};
}

Result<Json> RdsApi::describeClusterSnapshots(const RequestContext& c, const Json& in) {
  auto limit = pageSizeOf(in);
  if (!limit) return limit.error();
  std::vector<std::string> clusters, types, ids;
  if (in.contains("DBClusterIdentifier")) clusters.push_back(lowerCase(in["DBClusterIdentifier"].get<std::string>()));
  if (in.contains("SnapshotType")) types.push_back(in["SnapshotType"]);
  if (in.contains("DBClusterSnapshotIdentifier")) {
    auto found = findClusterSnapshot(c, in["DBClusterSnapshotIdentifier"]);
    if (!found) return found.error();
    ids.push_back(found->name);
  }
  for (const auto& filter : in.value("Filters", Json::array())) {
    std::string name = filter.value("Name", "");
    auto values = filter.value("Values", Json::array()).get<std::vector<std::string>>();
    if (name == "db-cluster-id") {
      clusters.insert(clusters.end(), values.begin(), values.end());
    } else if (name == "snapshot-type") {
      types.insert(types.end(), values.begin(), values.end());
    } else if (name == "db-cluster-snapshot-id") {
      ids.insert(ids.end(), values.begin(), values.end());
    } else if (name != "engine") {
      return invalid("Unrecognized filter name: " + name);
    }
  }
  auto after = markerOf(in);
  if (!after) return after.error();
  // One more than the page holds tells whether a Marker follows.
  auto snapshots = recordsAfter(catalog_, c, kClusterSnapshot, *after, *limit + 1, [&](const Resource& snapshot) {
    return snapshot.status != kDeleted && listedIn(ids, snapshot.name) &&
           listedIn(clusters, snapshot.spec.value("DBClusterIdentifier", "")) &&
           listedIn(types, snapshot.spec.value("SnapshotType", ""));
  });
  return pageOfRecords(std::move(snapshots), *limit, "DBClusterSnapshots", [this](const Resource& r) {
    return clusterSnapshotView(r, catalog_.listTags(r.arn));
  });
}

Result<Json> RdsApi::copyClusterSnapshot(const RequestContext& c, const Json& in) {
  auto source = findClusterSnapshot(c, in["SourceDBClusterSnapshotIdentifier"]);
  if (!source) return source.error();
  if (source->status != kAvailable) {
    return ApiError::sender("InvalidDBClusterSnapshotStateFault",
                            "Cluster snapshot " + source->name + " is not available: it cannot be copied.");
  }
  std::string identifier = lowerCase(in["TargetDBClusterSnapshotIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "TargetDBClusterSnapshotIdentifier", 255)) return *error;
  Resource draft = *source;
  draft.id = 0;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.name = identifier;
  draft.arn = makeArn("rds", c.region, c.accountId, "cluster-snapshot:" + identifier);
  draft.status = kCreating;
  draft.goal = kAvailable;
  draft.state = Json::object();
  draft.spec["DBClusterSnapshotIdentifier"] = identifier;
  draft.spec["SnapshotType"] = "manual";
  draft.spec["SourceDBClusterSnapshotArn"] = source->arn;
  draft.spec["CopyFromSnapshotArn"] = source->arn;  // the snapshot controller copies its files
  if (auto error = copyEncryption(c, *source, in, draft.spec)) return *error;
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kClusterSnapshot, identifier).ok()) {
      return ApiError::sender("DBClusterSnapshotAlreadyExistsFault",
                              "Cannot copy the cluster snapshot because one with the identifier " + identifier +
                                  " already exists.");
    }
    if (auto fresh = catalog_.getResourceByArn(source->arn); !fresh || fresh->status != kAvailable) {
      return ApiError::sender("InvalidDBClusterSnapshotStateFault",
                              "DB cluster snapshot " + source->name + " is not available.");
    }
    auto stored = catalog_.createResource(draft);
    if (!stored) return stored;
    auto tags = tagsFromInput(in);
    if (in.value("CopyTags", false)) tags = catalog_.listTags(source->arn);
    catalog_.addTags(stored->arn, tags);
    addEvent(*stored, "Copying cluster snapshot " + source->name, {"backup"});
    return stored;
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"DBClusterSnapshot", clusterSnapshotView(*created, catalog_.listTags(created->arn))}};
}

Result<Json> RdsApi::deleteClusterSnapshot(const RequestContext& c, const Json& in) {
  auto found = findClusterSnapshot(c, in["DBClusterSnapshotIdentifier"]);
  if (!found) return found.error();
  Resource snapshot = *found;
  if (snapshot.status != kAvailable && snapshot.status != kFailed) {
    return ApiError::sender("InvalidDBClusterSnapshotStateFault",
                            "Cannot delete the snapshot because it is not in available state: " + snapshot.status);
  }
  if (snapshot.spec.value("SnapshotType", "") == "automated") {
    return ApiError::sender("InvalidDBClusterSnapshotStateFault",
                            "Automated snapshots are deleted with their retention period or their cluster.");
  }
  snapshot.status = kDeleting;
  snapshot.goal = kDeleted;
  auto stored = catalog_.updateResource(snapshot);
  if (!stored) return ApiError::sender("InvalidDBClusterSnapshotStateFault", "The snapshot changed meanwhile; try again.");
  reconciler_.wake();
  return Json{{"DBClusterSnapshot", clusterSnapshotView(*stored, catalog_.listTags(stored->arn))}};
}

Result<Json> RdsApi::restoreClusterFromSnapshot(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBClusterIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBClusterIdentifier")) return *error;
  auto snapshot = findClusterSnapshot(c, in["SnapshotIdentifier"]);
  if (!snapshot) return snapshot.error();
  if (snapshot->status != kAvailable) {
    return ApiError::sender("InvalidDBClusterSnapshotStateFault", "DB cluster snapshot " + snapshot->name +
                                                                     " is not available: " + snapshot->status);
  }
  if (lowerCase(in["Engine"].get<std::string>()) != snapshot->spec.value("Engine", "")) {
    return ApiError::sender("InvalidParameterCombination", "The engine must be the snapshot's: " +
                                                              snapshot->spec.value("Engine", std::string()) + ".");
  }
  Json spec = restoredClusterSpec(identifier, snapshot->spec);
  if (snapshot->spec.value("StorageEncrypted", false)) {
    // The snapshot's own key must open it.
    auto key = usableKmsKey(c, snapshot->spec.value("KmsKeyId", "alias/aws/rds"));
    if (!key) return key.error();
  }
  if (auto settings = clusterSettings(c, in, spec, true); !settings) return settings.error();
  spec["RestoreSource"] = {{"ClusterSnapshotArn", snapshot->arn}};
  auto created = catalog_.transact([&]() -> Result<Resource> {
    // Still there when the restore is recorded: its pruning spares a
    // snapshot a restore reads (snapshot_readers.h).
    if (auto fresh = catalog_.getResourceByArn(snapshot->arn); !fresh || fresh->status != kAvailable) {
      return ApiError::sender("InvalidDBClusterSnapshotStateFault",
                              "DB cluster snapshot " + snapshot->name + " is not available.");
    }
    return recordNewCluster(c, spec, tagsFromInput(in), "Restored from snapshot " + snapshot->name);
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"DBCluster", clusterJson(*created)}};
}

Result<Json> RdsApi::restoreClusterToPointInTime(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBClusterIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBClusterIdentifier")) return *error;
  auto source = findCluster(c, in["SourceDBClusterIdentifier"]);
  if (!source) return source.error();
  if (in.value("RestoreType", "full-copy") != "full-copy") {
    return ApiError::sender("InvalidParameterCombination", "Kura restores clusters as full copies only.");
  }
  if (source->spec.value("StorageEncrypted", false)) {
    auto key = usableKmsKey(c, source->spec.value("KmsKeyId", "alias/aws/rds"));
    if (!key) return key.error();
  }
  auto chosen = restoreTargetOf(in, "RestoreToTime", source->state, source->name);
  if (!chosen) return chosen.error();
  const double target = *chosen;
  const bool useLatest = in.value("UseLatestRestorableTime", false);
  Json spec = restoredClusterSpec(identifier, source->spec);
  if (auto settings = clusterSettings(c, in, spec, true); !settings) return settings.error();
  spec["RestoreSource"] = {{"SourceClusterArn", source->arn},
                           {"SourceArchiveId", source->spec.value("DbClusterResourceId", "")},
                           {"RestoreTime", target},
                           {"UseLatest", useLatest}};
  auto created = catalog_.transact([&]() -> Result<Resource> {
    // The source's window as it is now (its pruning, which spares the
    // snapshots of a cluster a restore reads, may have moved it).
    auto fresh = catalog_.getResourceByArn(source->arn);
    if (!fresh || fresh->status == kDeleting || fresh->status == kDeleted) {
      return ApiError::sender("DBClusterNotFoundFault", "DBCluster " + source->name + " not found.", 404);
    }
    if (auto still = restoreTargetOf(in, "RestoreToTime", fresh->state, source->name); !still) return still.error();
    return recordNewCluster(c, spec, tagsFromInput(in),
                            "Restored from DB cluster " + source->name + " to " + formatIso8601Seconds(fromEpoch(target)));
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"DBCluster", clusterJson(*created)}};
}

}  // namespace kura::rds
