#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "common/time_format.h"
#include "services/rds/describe_paging.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"
#include "services/rds/rds_views.h"

namespace kura::rds {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

// What a restore keeps from its source unless the request overrides it.
const char* const kRestoredSettings[] = {"DBInstanceClass",      "Engine",           "EngineVersion",
                                         "EngineMajor",          "MasterUsername",   "MasterUserPasswordSealed",
                                         "AllocatedStorage",     "StorageType",      "StorageEncrypted",
                                         "KmsKeyId",             "DBParameterGroupName", "BackupRetentionPeriod",
                                         "PreferredBackupWindow", "PreferredMaintenanceWindow",
                                         "CopyTagsToSnapshot",   "DBName",           "EnabledCloudwatchLogsExports",
                                         "IAMDatabaseAuthenticationEnabled"};

// Overrides a restore request may carry. Its zone, subnet group and
// security groups are its own (defaults as for a new instance), not the
// source's: a restore may land in another VPC.
const char* const kRestoreOverrides[] = {"DBInstanceClass", "AvailabilityZone", "PubliclyAccessible",
                                         "AutoMinorVersionUpgrade", "StorageType", "CopyTagsToSnapshot",
                                         "DeletionProtection", "DBParameterGroupName", "DBName",
                                         "DBSubnetGroupName", "VpcSecurityGroupIds"};

// A restore makes a Single-AZ instance, from a snapshot or to a point in time.
ApiError restoreIsSingleAz() {
  return ApiError::sender("InvalidParameterCombination",
                          "Kura restores into a Single-AZ instance: modify it to Multi-AZ once it is available.");
}

// A restored instance's spec: the source's settings, then the request's overrides.
Json restoredSpec(const std::string& identifier, const Json& source, const Json& in) {
  Json spec = {{"DBInstanceIdentifier", identifier}, {"MultiAZ", false}};
  for (const char* name : kRestoredSettings) {
    if (source.contains(name)) spec[name] = source[name];
  }
  for (const char* name : kRestoreOverrides) {
    if (in.contains(name)) spec[name] = in[name];
  }
  spec.emplace("PubliclyAccessible", false);
  spec.emplace("AutoMinorVersionUpgrade", true);
  spec.emplace("DeletionProtection", false);
  if (in.contains("Port")) spec["Port"] = in["Port"];
  if (in.contains("EnableIAMDatabaseAuthentication")) {
    spec["IAMDatabaseAuthenticationEnabled"] = in["EnableIAMDatabaseAuthentication"];
  }
  return spec;
}

}  // namespace

Result<Resource> RdsApi::findSnapshot(const RequestContext& c, const std::string& identifier) {
  return findOfKind(c, identifier, kSnapshot, "DBSnapshotNotFound", "DBSnapshot");
}

Json RdsApi::snapshotJson(const Resource& snapshot) { return snapshotView(snapshot, catalog_.listTags(snapshot.arn)); }

Result<Resource> RdsApi::recordSnapshot(const RequestContext& c, const Resource& instance, const std::string& identifier,
                                        const std::string& type, const std::vector<Tag>& tags) {
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kSnapshot;
  draft.name = identifier;
  draft.arn = makeArn("rds", c.region, c.accountId, "snapshot:" + identifier);
  draft.status = kCreating;
  draft.goal = kAvailable;
  const Json& source = instance.spec;
  draft.spec = {{"DBSnapshotIdentifier", identifier},
                {"DBInstanceIdentifier", instance.name},
                {"SourceInstanceArn", instance.arn},
                {"SnapshotType", type},
                {"Port", instance.state.value("Port", 5432)},
                {"Encrypted", source.value("StorageEncrypted", false)},
                {"InstanceCreateTime", toEpochSeconds(instance.createdAt)},
                {"DbiResourceId", source.value("DbiResourceId", "")}};
  for (const char* name : kRestoredSettings) {
    if (source.contains(name)) draft.spec[name] = source[name];
  }
  return catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kSnapshot, identifier).ok()) {
      return ApiError::sender("DBSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the "
                                                         "identifier " + identifier + " already exists.");
    }
    auto created = catalog_.createResource(draft);
    if (!created) return created;
    std::vector<Tag> all = tags;
    if (source.value("CopyTagsToSnapshot", false) && tags.empty()) all = catalog_.listTags(instance.arn);
    catalog_.addTags(created->arn, all);
    addEvent(*created, type == "manual" ? "Creating manual snapshot" : "Creating automated snapshot", {"creation"});
    return created;
  });
}

Result<Json> RdsApi::createSnapshot(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBSnapshotIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBSnapshotIdentifier", 255)) return *error;
  auto instance = findInstance(c, in["DBInstanceIdentifier"]);
  if (!instance) return instance.error();
  if (isClusterMember(*instance)) {  // as RDS answers
    return invalid("The specified instance is a member of a cluster and a snapshot cannot be created directly. "
                   "Please use the CreateDBClusterSnapshot API instead.");
  }
  if (instance->status != kAvailable) {
    return ApiError::sender("InvalidDBInstanceState", "Cannot create a snapshot because the database instance " +
                                                          instance->name + " is not currently in the available state.");
  }
  auto snapshot = recordSnapshot(c, *instance, identifier, "manual", tagsFromInput(in));
  if (!snapshot) return snapshot.error();
  reconciler_.wake();
  return Json{{"DBSnapshot", snapshotJson(*snapshot)}};
}

Result<Json> RdsApi::describeSnapshots(const RequestContext& c, const Json& in) {
  auto pageSize = pageSizeOf(in);
  if (!pageSize) return pageSize.error();
  const size_t limit = *pageSize;
  std::vector<std::string> instances, types;
  if (in.contains("DBInstanceIdentifier")) instances.push_back(lowerCase(in["DBInstanceIdentifier"].get<std::string>()));
  if (in.contains("SnapshotType")) types.push_back(in["SnapshotType"]);
  std::optional<std::string> only;
  if (in.contains("DBSnapshotIdentifier")) {
    auto found = findSnapshot(c, in["DBSnapshotIdentifier"]);
    if (!found) return found.error();
    only = found->name;
  }
  for (const auto& filter : in.value("Filters", Json::array())) {
    std::string name = filter.value("Name", "");
    auto values = filter.value("Values", Json::array()).get<std::vector<std::string>>();
    if (name == "db-instance-id") {
      instances.insert(instances.end(), values.begin(), values.end());
    } else if (name == "snapshot-type") {
      types.insert(types.end(), values.begin(), values.end());
    } else if (name == "db-snapshot-id") {
      if (!values.empty()) only = lowerCase(values.front());
    } else if (name != "engine" && name != "dbi-resource-id") {
      return invalid("Unrecognized filter name: " + name);
    }
  }
  auto marker = markerOf(in);
  if (!marker) return marker.error();
  std::string after = *marker;
  Json out = {{"DBSnapshots", Json::array()}};
  while (true) {
    ResourcePage page = catalog_.listResources(c.accountId, c.region, kSnapshot, after, limit + 1);
    for (const Resource& s : page.items) {
      after = s.name;
      bool instanceMatches = listedIn(instances, s.spec.value("DBInstanceIdentifier", "")) ||
                             listedIn(instances, s.spec.value("SourceInstanceArn", ""));
      if (s.status == kDeleted || (only && s.name != *only) || !instanceMatches ||
          !listedIn(types, s.spec.value("SnapshotType", "manual"))) {
        continue;
      }
      if (out["DBSnapshots"].size() == limit) {
        out["Marker"] = encodeAfterName(out["DBSnapshots"].back()["DBSnapshotIdentifier"].get<std::string>());
        return out;
      }
      out["DBSnapshots"].push_back(snapshotJson(s));
    }
    if (!page.truncated) break;
  }
  return out;
}

Result<Json> RdsApi::deleteSnapshot(const RequestContext& c, const Json& in) {
  auto found = findSnapshot(c, in["DBSnapshotIdentifier"]);
  if (!found) return found.error();
  Resource snapshot = *found;
  if (snapshot.spec.value("SnapshotType", "manual") != "manual") {
    return ApiError::sender("InvalidDBSnapshotState", "Only manual snapshots may be deleted.");
  }
  if (snapshot.status != kAvailable && snapshot.status != kFailed) {
    return ApiError::sender("InvalidDBSnapshotState", "Cannot delete the snapshot because it is " + snapshot.status + ".");
  }
  snapshot.status = kDeleting;
  snapshot.goal = kDeleted;
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto updated = catalog_.updateResource(snapshot);
    if (updated) addEvent(*updated, "Deleted manual snapshot", {"deletion"});
    return updated;
  });
  if (!stored) return ApiError::sender("InvalidDBSnapshotState", "The snapshot changed meanwhile; try again.");
  reconciler_.wake();
  Json view = snapshotJson(*stored);
  view["Status"] = "deleted";
  return Json{{"DBSnapshot", view}};
}

std::optional<ApiError> RdsApi::copyEncryption(const RequestContext& c, const Resource& source, const Json& in,
                                               Json& spec) {
  spec.erase("SealCopyUnder");  // the source's own, if it was such a copy
  if (!in.contains("KmsKeyId")) return std::nullopt;  // the source's encryption, its files as they are
  auto key = usableKmsKey(c, in["KmsKeyId"].get<std::string>());
  if (!key) return key.error();
  std::string sourceKey;
  if (source.spec.value("Encrypted", false) || source.spec.value("StorageEncrypted", false)) {
    // Its key must open it for the copy.
    auto opens = usableKmsKey(c, source.spec.value("KmsKeyId", "alias/aws/rds"));
    if (!opens) return opens.error();
    sourceKey = *opens;
  }
  if (source.kind == kClusterSnapshot && sourceKey.empty()) {
    // Aurora's rule (RDS encrypts a DB snapshot's copy instead).
    return ApiError::sender("InvalidParameterCombination",
                            "Cannot encrypt an unencrypted DB cluster snapshot when copying it: omit KmsKeyId.");
  }
  spec["Encrypted"] = true;
  spec["StorageEncrypted"] = true;
  spec["KmsKeyId"] = *key;
  // Sealed again even under the source's own key: the files' key is then
  // the one the copy names, whatever the source's record says.
  spec["SealCopyUnder"] = *key;
  return std::nullopt;
}

Result<Json> RdsApi::copySnapshot(const RequestContext& c, const Json& in) {
  auto source = findSnapshot(c, in["SourceDBSnapshotIdentifier"]);
  if (!source) return source.error();
  if (source->status != kAvailable) {
    return ApiError::sender("InvalidDBSnapshotState", "The source snapshot is not available.");
  }
  std::string identifier = lowerCase(in["TargetDBSnapshotIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "TargetDBSnapshotIdentifier", 255)) return *error;
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kSnapshot;
  draft.name = identifier;
  draft.arn = makeArn("rds", c.region, c.accountId, "snapshot:" + identifier);
  draft.status = kCreating;
  draft.goal = kAvailable;
  draft.spec = source->spec;
  draft.spec["DBSnapshotIdentifier"] = identifier;
  draft.spec["SnapshotType"] = "manual";
  draft.spec["SourceDBSnapshotIdentifier"] = source->arn;
  draft.spec["CopyFromSnapshotArn"] = source->arn;
  draft.spec["OriginalSnapshotCreateTime"] = source->state.value("SnapshotCreateTime", Json());
  if (auto error = copyEncryption(c, *source, in, draft.spec)) return *error;
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kSnapshot, identifier).ok()) {
      return ApiError::sender("DBSnapshotAlreadyExists", "Cannot copy the snapshot because a snapshot with the "
                                                         "identifier " + identifier + " already exists.");
    }
    // The source still there when the copy is recorded (its pruning spares
    // a snapshot being copied: snapshot_readers.h).
    if (auto fresh = catalog_.getResourceByArn(source->arn); !fresh || fresh->status != kAvailable) {
      return ApiError::sender("InvalidDBSnapshotState", "Snapshot " + source->name + " is not available.");
    }
    auto stored = catalog_.createResource(draft);
    if (!stored) return stored;
    auto tags = tagsFromInput(in);
    if (in.value("CopyTags", false)) tags = catalog_.listTags(source->arn);
    catalog_.addTags(stored->arn, tags);
    addEvent(*stored, "Copying snapshot " + source->name, {"creation"});
    return stored;
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"DBSnapshot", snapshotJson(*created)}};
}

Result<Json> RdsApi::restoreFromSnapshot(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["DBInstanceIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "DBInstanceIdentifier")) return *error;
  if (!in.contains("DBSnapshotIdentifier")) {
    return invalid("The parameter DBSnapshotIdentifier must be provided.");
  }
  auto snapshot = findSnapshot(c, in["DBSnapshotIdentifier"]);
  if (!snapshot) return snapshot.error();
  if (snapshot->status != kAvailable) {
    return ApiError::sender("InvalidDBSnapshotState", "Snapshot " + snapshot->name + " is not available.");
  }
  if (in.value("MultiAZ", false)) return restoreIsSingleAz();
  if (snapshot->spec.value("Encrypted", false)) {
    // The snapshot's key must open it: a disabled or deleted key fails the restore now.
    auto key = usableKmsKey(c, snapshot->spec.value("KmsKeyId", "alias/aws/rds"));
    if (!key) return key.error();
  }
  Json spec = restoredSpec(identifier, snapshot->spec, in);
  if (auto error = takeStorageRequest(spec, in)) return *error;
  spec["RestoreSource"] = {{"SnapshotArn", snapshot->arn}};
  auto created = catalog_.transact([&]() -> Result<Resource> {
    // Still there when the restore is recorded: its pruning (which spares
    // a snapshot a restore reads, snapshot_readers.h) cannot come between.
    auto fresh = catalog_.getResourceByArn(snapshot->arn);
    if (!fresh || fresh->status != kAvailable) {
      return ApiError::sender("InvalidDBSnapshotState", "Snapshot " + snapshot->name + " is not available.");
    }
    return recordNewInstance(c, spec, tagsFromInput(in), "Restored from snapshot " + snapshot->name);
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*created)}};
}

Result<Json> RdsApi::restoreToPointInTime(const RequestContext& c, const Json& in) {
  std::string identifier = lowerCase(in["TargetDBInstanceIdentifier"].get<std::string>());
  if (auto error = checkIdentifier(identifier, "TargetDBInstanceIdentifier")) return *error;
  if (in.value("MultiAZ", false)) return restoreIsSingleAz();
  // The source: a live instance (by identifier or DbiResourceId), or the
  // backups a deleted one kept (by DbiResourceId or their ARN).
  Result<Resource> source = ApiError::sender("DBInstanceNotFound", "The source DB instance was not found.", 404);
  std::string keptArn;
  if (in.contains("SourceDBInstanceIdentifier")) {
    source = findInstance(c, in["SourceDBInstanceIdentifier"]);
  } else if (in.contains("SourceDbiResourceId") || in.contains("SourceDBInstanceAutomatedBackupsArn")) {
    std::string dbi = in.value("SourceDbiResourceId", "");
    for (const Resource& live : catalog_.listAllOfKind(kInstance)) {
      if (!dbi.empty() && live.accountId == c.accountId && live.region == c.region && live.status != kDeleted &&
          live.status != kDeleting && live.spec.value("DbiResourceId", "") == dbi) {
        source = live;
      }
    }
    if (!source) {
      auto kept = in.contains("SourceDBInstanceAutomatedBackupsArn")
                      ? catalog_.getResourceByArn(in["SourceDBInstanceAutomatedBackupsArn"])
                      : catalog_.getResource(c.accountId, c.region, kRetainedBackup, dbi);
      if (!kept || kept->kind != kRetainedBackup || kept->accountId != c.accountId || kept->region != c.region) {
        return ApiError::sender("DBInstanceAutomatedBackupNotFound", "No automated backup was found for the source.",
                                404);
      }
      if (kept->status != "retained") {
        return ApiError::sender("InvalidDBInstanceAutomatedBackupState",
                                "The automated backup is " + kept->status + ": it cannot be restored from.");
      }
      keptArn = kept->arn;
      source = *kept;
      source->name = kept->spec.value("DBInstanceIdentifier", kept->name);
      source->arn = kept->spec.value("DBInstanceArn", "");
    }
  } else {
    return invalid("The parameter SourceDBInstanceIdentifier must be provided.");
  }
  if (!source) return source.error();
  if (source->spec.value("StorageEncrypted", false)) {
    auto key = usableKmsKey(c, source->spec.value("KmsKeyId", "alias/aws/rds"));
    if (!key) return key.error();
  }
  if (source->spec.value("BackupRetentionPeriod", 0) == 0) {
    return ApiError::sender("InvalidDBInstanceState",
                            "Automated backups are not enabled for " + source->name + ": it cannot be restored to a point in time.");
  }
  auto chosen = restoreTargetOf(in, "RestoreTime", source->state, source->name);
  if (!chosen) return chosen.error();
  const double target = *chosen;
  const bool useLatest = in.value("UseLatestRestorableTime", false);
  Json spec = restoredSpec(identifier, source->spec, in);
  if (auto error = takeStorageRequest(spec, in)) return *error;
  spec["RestoreSource"] = {{"SourceInstanceArn", source->arn}, {"RestoreTime", target}, {"UseLatest", useLatest}};
  if (!keptArn.empty()) spec["RestoreSource"]["RetainedBackupArn"] = keptArn;
  auto created = catalog_.transact([&]() -> Result<Resource> {
    // Kept backups still kept when the restore is recorded: their deletion
    // (which waits for restores recorded from them) cannot come between.
    if (!keptArn.empty()) {
      auto kept = catalog_.getResourceByArn(keptArn);
      if (!kept || kept->status != "retained") {
        return ApiError::sender("InvalidDBInstanceAutomatedBackupState",
                                "The automated backup is being deleted: it cannot be restored from.");
      }
      // Their window as it is now: expiry (retained_backup_expiry.cpp),
      // which waits for restores recorded from them, may have moved it
      // since it was read.
      if (auto still = restoreTargetOf(in, "RestoreTime", kept->state, source->name); !still) return still.error();
    } else {
      // The same for a live source, whose pruning waits for restores from it.
      auto live = catalog_.getResourceByArn(source->arn);
      if (!live || live->status == kDeleting || live->status == kDeleted) {
        return ApiError::sender("DBInstanceNotFound", "DBInstance " + source->name + " not found.", 404);
      }
      if (auto still = restoreTargetOf(in, "RestoreTime", live->state, source->name); !still) return still.error();
    }
    return recordNewInstance(c, spec, tagsFromInput(in),
                             "Restored from DB instance " + source->name + " to " +
                                 formatIso8601Seconds(SystemTime(std::chrono::milliseconds(static_cast<long long>(target * 1000)))));
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"DBInstance", instanceJson(*created)}};
}

}  // namespace kura::rds
