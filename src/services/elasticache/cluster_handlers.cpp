#include <cctype>

#include "cache/snapshot_record.h"
#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "common/daily_window.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_validation.h"

namespace kura::elasticache {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError combination(std::string message) {
  return ApiError::sender("InvalidParameterCombination", std::move(message));
}
ApiError notAvailable(const Resource& cluster) {
  return ApiError::sender("InvalidCacheClusterState",
                          "Cache cluster " + cluster.name + " is not in available state (it is " + cluster.status + ").");
}

// ElastiCache's rule for cluster ids: 1-50 letters, digits or hyphens,
// starting with a letter, no two hyphens in a row and none at the end.
std::optional<ApiError> checkClusterId(const std::string& id) {
  bool valid = !id.empty() && id.size() <= 50 && std::isalpha(static_cast<unsigned char>(id[0])) &&
               id.back() != '-' && id.find("--") == std::string::npos;
  for (char ch : id) valid = valid && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-');
  if (valid) return std::nullopt;
  return invalid("The parameter CacheClusterId is not a valid identifier. Identifiers must begin with a letter; must "
                 "contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two "
                 "consecutive hyphens.");
}

std::optional<ApiError> checkSettings(const Json& in) {
  if (in.contains("SnapshotRetentionLimit")) {
    int64_t days = in["SnapshotRetentionLimit"];
    if (days < 0 || days > 35) return invalid("SnapshotRetentionLimit must be between 0 and 35.");
  }
  if (in.contains("SnapshotWindow")) {
    auto window = parseDailyWindow(in["SnapshotWindow"].get<std::string>());
    if (!window) return invalid("The parameter SnapshotWindow must be provided in the format hh24:mi-hh24:mi.");
    if (window->minutes() < 60) return invalid("The snapshot window must be at least 60 minutes.");
  }
  if (in.contains("PreferredMaintenanceWindow")) {
    if (auto error = rds::checkMaintenanceWindow(in["PreferredMaintenanceWindow"].get<std::string>())) return error;
  }
  if (in.contains("NumCacheNodes") && in["NumCacheNodes"].get<int64_t>() != 1) {
    return invalid("A Redis cache cluster has exactly one node: NumCacheNodes must be 1.");
  }
  if (in.contains("CacheNodeType") && in["CacheNodeType"].get<std::string>().rfind("cache.", 0) != 0) {
    return invalid("Invalid CacheNodeType: " + in["CacheNodeType"].get<std::string>());
  }
  return std::nullopt;
}

}  // namespace

Result<Resource> ElastiCacheApi::findCluster(const RequestContext& c, const std::string& id) {
  auto found = catalog_.getResource(c.accountId, c.region, kCluster, rds::lowerCase(id));
  if (!found || found->status == kDeleted) {
    return ApiError::sender("CacheClusterNotFound", "CacheCluster not found: " + id, 404);
  }
  return found;
}

std::string ElastiCacheApi::redisMajorMinor() const {
  size_t first = config_.redisVersion.find('.');
  size_t second = first == std::string::npos ? first : config_.redisVersion.find('.', first + 1);
  return config_.redisVersion.substr(0, second);
}

Result<Json> ElastiCacheApi::createCluster(const RequestContext& c, const Json& in) {
  std::string id = rds::lowerCase(in["CacheClusterId"].get<std::string>());
  if (auto error = checkClusterId(id)) return *error;
  if (in.contains("ReplicationGroupId")) {
    return ApiError::sender("ReplicationGroupNotFoundFault",
                            "Replication group " + in["ReplicationGroupId"].get<std::string>() + " not found.", 404);
  }
  // What a restore starts from: the snapshot's settings, unless given.
  std::optional<Resource> snapshot;
  if (in.contains("SnapshotName")) {
    auto found = findSnapshot(c, in["SnapshotName"]);
    if (!found) return found.error();
    if (found->status != kAvailable) {
      return ApiError::sender("InvalidSnapshotState", "Snapshot " + found->name + " is not in available state.");
    }
    snapshot = *found;
  }
  if (in.contains("SnapshotArns")) {
    return combination("Seeding a cluster from RDB files in Amazon S3 (SnapshotArns) is not supported by Kura; "
                       "restore from a snapshot with SnapshotName.");
  }
  std::string engine = in.value("Engine", snapshot ? snapshot->spec.value("Engine", "redis") : "memcached");
  if (engine != "redis") {
    return invalid("Kura runs Redis cache clusters only; the " + engine + " engine is not available.");
  }
  if (config_.redisVersion.empty()) {
    return ApiError::sender("InsufficientCacheClusterCapacity", "No Redis server is installed on this Kura host.");
  }
  std::string version = redisMajorMinor();
  std::string major = version.substr(0, version.find('.'));
  if (in.contains("EngineVersion")) {
    std::string wanted = in["EngineVersion"];
    if (wanted != version && wanted != config_.redisVersion && wanted != major + ".x" && wanted != major) {
      return invalid("Cannot find version " + wanted + " for redis (this host runs " + config_.redisVersion + ").");
    }
  }
  if (auto error = checkSettings(in)) return *error;
  if (in.contains("AuthToken") || in.value("TransitEncryptionEnabled", false)) {
    return combination("In-transit encryption and AuthToken are not supported by Kura's cache clusters.");
  }
  if (in.contains("Port") && (in["Port"].get<int>() < 1024 || in["Port"].get<int>() > 65535)) {
    return invalid("Invalid port " + std::to_string(in["Port"].get<int>()) + ".");
  }
  std::string parameterGroup = in.value("CacheParameterGroupName", "default.redis" + major);
  if (parameterGroup != "default.redis" + major) {
    return ApiError::sender("CacheParameterGroupNotFound", "CacheParameterGroup " + parameterGroup + " not found.", 404);
  }
  const Json from = snapshot ? snapshot->spec : Json::object();
  Json spec = {{"CacheClusterId", id},
               {"Engine", "redis"},
               {"EngineVersion", config_.redisVersion},
               {"CacheNodeType", in.value("CacheNodeType", from.value("CacheNodeType", "cache.t3.micro"))},
               {"NumCacheNodes", 1},
               {"PreferredAvailabilityZone", in.value("PreferredAvailabilityZone", c.region + "a")},
               {"PreferredMaintenanceWindow",
                in.value("PreferredMaintenanceWindow", from.value("PreferredMaintenanceWindow", "sun:23:00-mon:01:30"))},
               {"CacheParameterGroupName", parameterGroup},
               {"AutoMinorVersionUpgrade", in.value("AutoMinorVersionUpgrade", true)},
               {"SnapshotRetentionLimit", in.value("SnapshotRetentionLimit", 0)},
               {"SnapshotWindow", in.value("SnapshotWindow", from.value("SnapshotWindow", "05:00-06:00"))}};
  if (snapshot) spec["RestoreSnapshotArn"] = snapshot->arn;
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kCluster;
  draft.name = id;
  draft.arn = makeArn("elasticache", c.region, c.accountId, "cluster:" + id);
  draft.status = kCreating;
  draft.goal = kAvailable;
  draft.spec = spec;
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kCluster, id).ok()) {
      return ApiError::sender("CacheClusterAlreadyExists", "Cache cluster " + id + " already exists.");
    }
    std::optional<int> wanted;
    if (in.contains("Port")) wanted = in["Port"].get<int>();
    auto port = ports_.allocate(draft.arn, wanted);
    if (!port) {
      return wanted ? invalid("Port " + std::to_string(*wanted) + " is in use on this host; choose another or omit Port.")
                    : ApiError::sender("InsufficientCacheClusterCapacity",
                                       "No free engine port is left in Kura's port range.");
    }
    draft.state = {{"Port", *port}, {"Address", config_.endpointAddress}};
    auto made = catalog_.createResource(draft);
    if (!made) return made.error();
    if (auto tags = rds::tagsFromInput(in); !tags.empty()) catalog_.addTags(made->arn, tags);
    return made;
  });
  if (!created) return created.error();
  reconciler_.wake();
  return Json{{"CacheCluster", clusterView(*created, false)}};
}

Result<Json> ElastiCacheApi::describeClusters(const RequestContext& c, const Json& in) {
  auto limit = pageSize(in, 100);
  if (!limit) return limit.error();
  bool showNodes = in.value("ShowCacheNodeInfo", false);
  Json out = {{"CacheClusters", Json::array()}};
  if (in.contains("CacheClusterId")) {
    auto found = findCluster(c, in["CacheClusterId"]);
    if (!found) return found.error();
    out["CacheClusters"].push_back(clusterView(*found, showNodes));
    return out;
  }
  std::string after;
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    after = *decoded;
  }
  ResourcePage page = catalog_.listResources(c.accountId, c.region, kCluster, after, *limit);
  for (const Resource& cluster : page.items) out["CacheClusters"].push_back(clusterView(cluster, showNodes));
  if (page.truncated && !page.items.empty()) out["Marker"] = encodeAfterName(page.items.back().name);
  return out;
}

Result<Json> ElastiCacheApi::modifyCluster(const RequestContext& c, const Json& in) {
  auto cluster = findCluster(c, in["CacheClusterId"]);
  if (!cluster) return cluster.error();
  if (cluster->status != kAvailable) return notAvailable(*cluster);
  if (auto error = checkSettings(in)) return *error;
  if (in.contains("EngineVersion") && in["EngineVersion"] != cluster->spec["EngineVersion"] &&
      in["EngineVersion"] != redisMajorMinor()) {
    return invalid("Cannot find version " + in["EngineVersion"].get<std::string>() + " for redis.");
  }
  if (in.contains("AuthToken")) return combination("AuthToken is not supported by Kura's cache clusters.");
  for (const char* member : {"SnapshotRetentionLimit", "SnapshotWindow", "PreferredMaintenanceWindow",
                             "CacheNodeType", "AutoMinorVersionUpgrade"}) {
    if (in.contains(member)) cluster->spec[member] = in[member];
  }
  auto stored = catalog_.updateResource(*cluster);
  if (!stored) return stored.error();
  return Json{{"CacheCluster", clusterView(*stored, false)}};
}

Result<Json> ElastiCacheApi::deleteCluster(const RequestContext& c, const Json& in) {
  auto cluster = findCluster(c, in["CacheClusterId"]);
  if (!cluster) return cluster.error();
  bool deletable = cluster->status == kAvailable || cluster->status == kRestoreFailed || cluster->status == kFailed;
  if (!deletable) return notAvailable(*cluster);
  std::string finalSnapshot = in.value("FinalSnapshotIdentifier", "");
  if (!finalSnapshot.empty() && cluster->status != kAvailable) {
    return combination("A final snapshot needs the cluster to be available.");
  }
  auto deleted = catalog_.transact([&]() -> Result<Resource> {
    if (!finalSnapshot.empty()) {
      if (catalog_.getResource(c.accountId, c.region, kSnapshot, finalSnapshot).ok()) {
        return ApiError::sender("SnapshotAlreadyExistsFault", "Snapshot " + finalSnapshot + " already exists.");
      }
      auto made = catalog_.createResource(cache::newSnapshotRecord(*cluster, finalSnapshot, "manual"));
      if (!made) return made.error();
      cluster->spec["FinalSnapshotIdentifier"] = finalSnapshot;
    }
    cluster->status = kDeleting;
    cluster->goal = kDeleted;
    return catalog_.updateResource(*cluster);
  });
  if (!deleted) return deleted.error();
  reconciler_.wake();
  return Json{{"CacheCluster", clusterView(*deleted, false)}};
}

Result<Json> ElastiCacheApi::rebootCluster(const RequestContext& c, const Json& in) {
  auto cluster = findCluster(c, in["CacheClusterId"]);
  if (!cluster) return cluster.error();
  for (const auto& node : in["CacheNodeIdsToReboot"]) {
    if (node != kNodeId) return invalid("Cache node " + node.get<std::string>() + " is not a node of " + cluster->name + ".");
  }
  if (cluster->status != kAvailable) return notAvailable(*cluster);
  cluster->status = kRebooting;
  cluster->goal = kAvailable;
  auto stored = catalog_.updateResource(*cluster);
  if (!stored) return stored.error();
  reconciler_.wake();
  return Json{{"CacheCluster", clusterView(*stored, false)}};
}

}  // namespace kura::elasticache
