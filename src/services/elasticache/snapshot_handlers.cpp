#include "cache/memcached_nodes.h"
#include "cache/snapshot_record.h"
#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/rds/rds_api.h"

namespace kura::elasticache {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

std::optional<ApiError> checkSnapshotName(const std::string& name) {
  if (name.empty() || name.size() > 255) return invalid("The snapshot name must be 1 to 255 characters.");
  if (name.rfind("automatic.", 0) == 0) {
    return invalid("Snapshot names beginning with 'automatic.' are reserved for automatic snapshots.");
  }
  return std::nullopt;
}

}  // namespace

Result<Resource> ElastiCacheApi::findSnapshot(const RequestContext& c, const std::string& name) {
  auto found = catalog_.getResource(c.accountId, c.region, kSnapshot, name);
  if (!found || found->status == kDeleted) {
    return ApiError::sender("SnapshotNotFoundFault", "Snapshot " + name + " not found.", 404);
  }
  return found;
}

Result<std::string> ElastiCacheApi::usableKmsKey(const RequestContext& c, const std::string& keyRef) {
  if (config_.keys == nullptr) return invalid("KMS is not available on this Kura server.");
  auto key = config_.keys->usableKey({c.accountId, c.region}, keyRef);
  if (!key) return ApiError::sender("InvalidKMSKeyFault", "The KMS key " + keyRef + " cannot be used: " + key.error().message);
  return key->arn();
}

Result<Json> ElastiCacheApi::createSnapshot(const RequestContext& c, const Json& in) {
  std::string name = in["SnapshotName"];
  if (auto error = checkSnapshotName(name)) return *error;
  if (in.contains("ReplicationGroupId") == in.contains("CacheClusterId")) {
    return ApiError::sender("InvalidParameterCombination", "Give either a CacheClusterId or a ReplicationGroupId.");
  }
  // The source: a cache cluster, or a replication group (its primary).
  auto cluster = in.contains("ReplicationGroupId") ? findGroup(c, in["ReplicationGroupId"])
                                                   : findCluster(c, in["CacheClusterId"]);
  if (!cluster) return cluster.error();
  if (cache::isMemcached(*cluster)) {
    return ApiError::sender("SnapshotFeatureNotSupportedFault", "Snapshots are not supported for Memcached clusters.");
  }
  if (cluster->status != kAvailable) {
    bool group = cluster->kind == kReplicationGroup;
    return ApiError::sender(group ? "InvalidReplicationGroupState" : "InvalidCacheClusterState",
                            std::string(group ? "Replication group " : "Cache cluster ") + cluster->name +
                                " is not in available state (it is " + cluster->status + ").");
  }
  std::string keyArn;
  if (in.contains("KmsKeyId")) {
    auto key = usableKmsKey(c, in["KmsKeyId"]);
    if (!key) return key.error();
    keyArn = *key;
  }
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kSnapshot, name).ok()) {
      return ApiError::sender("SnapshotAlreadyExistsFault", "Snapshot " + name + " already exists.");
    }
    auto made = catalog_.createResource(cache::newSnapshotRecord(*cluster, name, "manual", keyArn));
    if (!made) return made.error();
    if (auto tags = rds::tagsFromInput(in); !tags.empty()) catalog_.addTags(made->arn, tags);
    return made;
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"Snapshot", snapshotView(*created)}};
}

Result<Json> ElastiCacheApi::describeSnapshots(const RequestContext& c, const Json& in) {
  auto limit = pageSize(in, 50);
  if (!limit) return limit.error();
  Json out = {{"Snapshots", Json::array()}};
  std::string group;
  if (in.contains("ReplicationGroupId")) {
    auto found = findGroup(c, in["ReplicationGroupId"]);
    if (!found) return found.error();
    group = found->name;
  }
  if (in.contains("SnapshotName")) {
    auto found = findSnapshot(c, in["SnapshotName"]);
    if (!found) return found.error();
    out["Snapshots"].push_back(snapshotView(*found));
    return out;
  }
  std::string cluster;
  if (in.contains("CacheClusterId")) {
    auto found = findCluster(c, in["CacheClusterId"]);
    if (!found) return found.error();
    cluster = found->name;
  }
  // SnapshotSource filters on who made it: "system" (automatic) or "user".
  std::string source = in.value("SnapshotSource", "");
  if (!source.empty() && source != "system" && source != "user") {
    return invalid("SnapshotSource must be 'system' or 'user'.");
  }
  std::string after;
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    after = *decoded;
  }
  // Filters apply before the page is cut.
  std::vector<Resource> matching;
  for (std::string cursor = after;;) {
    ResourcePage page = catalog_.listResources(c.accountId, c.region, kSnapshot, cursor, 500);
    for (const Resource& snapshot : page.items) {
      cursor = snapshot.name;
      bool automated = snapshot.spec.value("SnapshotSource", "") == "automated";
      if (!cluster.empty() && snapshot.spec.value("CacheClusterId", "") != cluster) continue;
      if (!group.empty() && snapshot.spec.value("ReplicationGroupId", "") != group) continue;
      if ((source == "system" && !automated) || (source == "user" && automated)) continue;
      matching.push_back(snapshot);
    }
    if (!page.truncated || matching.size() > *limit) break;
  }
  for (size_t i = 0; i < matching.size() && i < *limit; ++i) out["Snapshots"].push_back(snapshotView(matching[i]));
  if (matching.size() > *limit) out["Marker"] = encodeAfterName(matching[*limit - 1].name);
  return out;
}

Result<Json> ElastiCacheApi::deleteSnapshot(const RequestContext& c, const Json& in) {
  auto snapshot = findSnapshot(c, in["SnapshotName"]);
  if (!snapshot) return snapshot.error();
  if (snapshot->status != kAvailable && snapshot->status != kFailed) {
    return ApiError::sender("InvalidSnapshotState", "Snapshot " + snapshot->name + " is not in available state.");
  }
  snapshot->status = kDeleting;
  snapshot->goal = kDeleted;
  auto stored = catalog_.updateResource(*snapshot);
  if (!stored) return stored.error();
  reconciler_.wake();
  return Json{{"Snapshot", snapshotView(*stored)}};
}

Result<Json> ElastiCacheApi::copySnapshot(const RequestContext& c, const Json& in) {
  if (in.contains("TargetBucket")) {
    return invalid("Exporting a snapshot to Amazon S3 (TargetBucket) is not supported by Kura.");
  }
  std::string target = in["TargetSnapshotName"];
  if (auto error = checkSnapshotName(target)) return *error;
  auto source = findSnapshot(c, in["SourceSnapshotName"]);
  if (!source) return source.error();
  if (source->status != kAvailable) {
    return ApiError::sender("InvalidSnapshotState", "Snapshot " + source->name + " is not in available state.");
  }
  if (in.contains("KmsKeyId")) {
    // The copy is the source's files, sealed by the source's key: another
    // key would not be honoured.
    auto key = usableKmsKey(c, in["KmsKeyId"]);
    if (!key) return key.error();
    if (*key != source->spec.value("KmsKeyId", "")) {
      return invalid("A copy under another KMS key than its source's is not supported by Kura: the copy keeps the "
                     "source's encryption (" + source->spec.value("KmsKeyId", std::string("none")) + ").");
    }
  }
  Resource copy = *source;
  copy.id = 0;
  copy.version = 0;
  copy.name = target;
  copy.arn = makeArn("elasticache", c.region, c.accountId, "snapshot:" + target);
  copy.status = kCreating;
  copy.goal = kAvailable;
  copy.state = Json::object();
  copy.spec["SnapshotName"] = target;
  copy.spec["SnapshotSource"] = "manual";
  copy.spec["CopyFromSnapshotArn"] = source->arn;
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kSnapshot, target).ok()) {
      return ApiError::sender("SnapshotAlreadyExistsFault", "Snapshot " + target + " already exists.");
    }
    auto made = catalog_.createResource(copy);
    if (!made) return made.error();
    if (auto tags = rds::tagsFromInput(in); !tags.empty()) catalog_.addTags(made->arn, tags);
    return made;
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"Snapshot", snapshotView(*created)}};
}

}  // namespace kura::elasticache
