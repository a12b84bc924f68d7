#include <algorithm>
#include <cctype>

#include "cache/cache_parameters.h"
#include "cache/node_type_change.h"
#include "cache/memcached_nodes.h"
#include "cache/snapshot_record.h"
#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "catalog/pending_maintenance.h"
#include "common/daily_window.h"
#include "services/elasticache/cache_network.h"
#include "services/elasticache/cache_parameter_groups.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/engine_versions.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/elasticache/elasticache_validation.h"
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

Result<std::optional<Resource>> ElastiCacheApi::restoreSource(const RequestContext& c, const Json& in) {
  if (in.contains("SnapshotArns")) {
    return combination("Seeding from RDB files in Amazon S3 (SnapshotArns) is not supported by Kura; "
                       "restore from a snapshot with SnapshotName.");
  }
  if (!in.contains("SnapshotName")) return std::optional<Resource>();
  auto found = findSnapshot(c, in["SnapshotName"]);
  if (!found) return found.error();
  if (found->status != kAvailable) {
    return ApiError::sender("InvalidSnapshotState", "Snapshot " + found->name + " is not in available state.");
  }
  return std::optional<Resource>(*found);
}

Result<std::string> ElastiCacheApi::checkEngine(const Json& in, const std::string& defaultEngine) {
  std::string engine = in.value("Engine", defaultEngine);
  if (engine != "redis") {
    return invalid("Kura runs Redis only; the " + engine + " engine is not available.");
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
  return version;
}

Result<Resource> ElastiCacheApi::recordNew(const RequestContext& c, const std::string& kind, const std::string& name,
                                           Json spec, const Json& in,
                                           const std::function<std::optional<ApiError>(Resource&)>& allocate) {
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kind;
  draft.name = name;
  draft.arn = makeArn("elasticache", c.region, c.accountId,
                      (kind == kCluster ? "cluster:" : "replicationgroup:") + name);
  draft.status = kCreating;
  draft.goal = kAvailable;
  draft.spec = std::move(spec);
  // Its subnet group decides its nodes' zones; its security groups must be in that group's VPC.
  if (auto placed = placeCacheNetwork(catalog_, c, in, draft.spec); !placed) return placed.error();
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kind, name).ok()) {
      return kind == kCluster ? ApiError::sender("CacheClusterAlreadyExists", "Cache cluster " + name + " already exists.")
                              : ApiError::sender("ReplicationGroupAlreadyExists",
                                                 "Replication group " + name + " already exists.");
    }
    if (auto error = allocate(draft)) return *error;
    auto made = catalog_.createResource(draft);
    if (!made) return made.error();
    if (auto tags = rds::tagsFromInput(in); !tags.empty()) catalog_.addTags(made->arn, tags);
    return made;
  });
  if (created) reconciler_.wake();
  return created;
}

Result<Json> ElastiCacheApi::createCluster(const RequestContext& c, const Json& in) {
  std::string id = rds::lowerCase(in["CacheClusterId"].get<std::string>());
  if (auto error = checkCacheIdentifier(id, "CacheClusterId", 50)) return *error;
  if (in.contains("ReplicationGroupId")) {
    auto group = findGroup(c, in["ReplicationGroupId"]);
    if (!group) return group.error();
    return combination("Adding a cache cluster to a replication group is not supported by Kura.");
  }
  // What a restore starts from: the snapshot's settings, unless given.
  auto restore = restoreSource(c, in);
  if (!restore) return restore.error();
  const std::optional<Resource>& snapshot = *restore;
  if (snapshot && snapshot->spec.value("NumNodeGroups", 1) > 1) {
    return combination("Snapshot " + snapshot->name +
                       " holds several node groups: it restores into a replication group with cluster mode enabled.");
  }
  std::string engine = in.value("Engine", snapshot ? snapshot->spec.value("Engine", "redis") : "memcached");
  if (engine == "memcached") return createMemcachedCluster(c, in, id);
  auto version = checkEngine(in, engine);
  if (!version) return version.error();
  std::string major = version->substr(0, version->find('.'));
  if (auto error = checkSettings(in)) return *error;
  if (in.contains("NumCacheNodes") && in["NumCacheNodes"].get<int64_t>() != 1) {
    return invalid("A Redis cache cluster has exactly one node: NumCacheNodes must be 1.");
  }
  if (in.contains("Port") && (in["Port"].get<int>() < 1024 || in["Port"].get<int>() > 65535)) {
    return invalid("Invalid port " + std::to_string(in["Port"].get<int>()) + ".");
  }
  std::string parameterGroup = "default.redis" + major;
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
  // A snapshot's type, restored, as a given one (a snapshot made before
  // Kura refused made-up types may carry one).
  if (auto error = checkNodeType(spec)) return *error;
  if (snapshot) spec["RestoreSnapshotArn"] = snapshot->arn;
  if (auto error = placeCacheParameterGroup(catalog_, c, in, cache::redisFamilyOf(config_.redisVersion), spec)) {
    return *error;
  }
  if (auto error = recordNewAccess(c, in, spec, /*group=*/false)) return *error;
  auto created = recordNew(c, kCluster, id, spec, in, [&](Resource& draft) -> std::optional<ApiError> {
    std::optional<int> wanted;
    if (in.contains("Port")) wanted = in["Port"].get<int>();
    auto port = ports_.allocate(draft.arn, wanted);
    if (!port) {
      return wanted ? invalid("Port " + std::to_string(*wanted) + " is in use on this host; choose another or omit Port.")
                    : ApiError::sender("InsufficientCacheClusterCapacity",
                                       "No free engine port is left in Kura's port range.");
    }
    // The node's own port, behind the proxy that owns the endpoint port.
    auto enginePort = ports_.allocate(draft.arn + "#engine");
    if (!enginePort) {
      return ApiError::sender("InsufficientCacheClusterCapacity", "No free engine port is left in Kura's port range.");
    }
    draft.state = {{"Port", *port}, {"EnginePort", *enginePort}, {"Address", config_.endpointAddress}};
    return std::nullopt;
  });
  if (!created) return created.error();
  return Json{{"CacheCluster", clusterView(*created, false)}};
}

std::vector<Json> ElastiCacheApi::allClusterViews(const RequestContext& c, bool showNodes) {
  std::vector<Json> views;
  for (const char* kind : {kCluster, kReplicationGroup}) {
    for (std::string after;;) {
      ResourcePage page = catalog_.listResources(c.accountId, c.region, kind, after, 500);
      for (const Resource& resource : page.items) {
        after = resource.name;
        if (resource.kind == kCluster) {
          views.push_back(clusterView(resource, showNodes));
        } else {
          for (Json& member : memberClusterViews(resource, showNodes)) views.push_back(std::move(member));
        }
      }
      if (!page.truncated || page.items.empty()) break;
    }
  }
  std::sort(views.begin(), views.end(), [](const Json& a, const Json& b) {
    return a["CacheClusterId"].get<std::string>() < b["CacheClusterId"].get<std::string>();
  });
  return views;
}

Result<Json> ElastiCacheApi::describeClusters(const RequestContext& c, const Json& in) {
  auto limit = pageSize(in, 100);
  if (!limit) return limit.error();
  bool showNodes = in.value("ShowCacheNodeInfo", false);
  bool standaloneOnly = in.value("ShowCacheClustersNotInReplicationGroups", false);
  Json out = {{"CacheClusters", Json::array()}};
  std::string wanted = in.contains("CacheClusterId") ? rds::lowerCase(in["CacheClusterId"].get<std::string>()) : "";
  std::string after;
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    after = *decoded;
  }
  // Standalone clusters and the members of replication groups, by id.
  std::vector<Json> views = allClusterViews(c, showNodes);
  std::vector<Json> page;
  for (Json& view : views) {
    std::string id = view["CacheClusterId"];
    if (!wanted.empty() && id != wanted) continue;
    if (standaloneOnly && view.contains("ReplicationGroupId")) continue;
    if (id <= after) continue;
    page.push_back(std::move(view));
  }
  if (!wanted.empty() && page.empty()) {
    return ApiError::sender("CacheClusterNotFound", "CacheCluster not found: " + in["CacheClusterId"].get<std::string>(), 404);
  }
  for (size_t i = 0; i < page.size() && i < *limit; ++i) out["CacheClusters"].push_back(page[i]);
  if (page.size() > *limit) out["Marker"] = encodeAfterName(page[*limit - 1]["CacheClusterId"].get<std::string>());
  return out;
}

Result<Json> ElastiCacheApi::modifyCluster(const RequestContext& c, const Json& in) {
  auto cluster = findCluster(c, in["CacheClusterId"]);
  if (!cluster) return cluster.error();
  if (cluster->status != kAvailable) return notAvailable(*cluster);
  if (auto error = checkSettings(in)) return *error;
  // Security groups change at once, as in ElastiCache.
  if (auto changed = changeCacheSecurityGroups(catalog_, c, in, cluster->spec); !changed) return changed.error();
  if (auto error = changeCacheParameterGroup(catalog_, c, in, *cluster)) return *error;
  // A new node type waits for the maintenance window unless ApplyImmediately, as on ElastiCache.
  Json held = in;
  holdForMaintenanceWindow(held, *cluster, {"CacheNodeType"}, in.value("ApplyImmediately", false));
  if (cache::isMemcached(*cluster)) {
    if (in.contains("AuthToken") || in.contains("AuthTokenUpdateStrategy")) {
      return combination("AuthToken is only supported for the Redis engine.");
    }
    return modifyMemcachedCluster(c, *cluster, held);
  }
  if (in.contains("NumCacheNodes") && in["NumCacheNodes"].get<int64_t>() != 1) {
    return invalid("A Redis cache cluster has exactly one node: NumCacheNodes must be 1.");
  }
  if (!in.value("CacheNodeIdsToRemove", Json::array()).empty()) {
    return invalid("A Redis cache cluster has exactly one node: it has none to remove (CacheNodeIdsToRemove).");
  }
  if (in.contains("EngineVersion")) {
    if (auto error = checkEngineVersionChange("redis", in["EngineVersion"], config_.redisVersion)) return *error;
  }
  // The AUTH token applies at once, as with ApplyImmediately.
  auto access = modifyAccess(c, in, *cluster);
  if (!access) return access.error();
  if (*access) {
    if (auto error = recordClientUsers(c, *cluster)) return *error;
  }
  for (const char* member : {"SnapshotRetentionLimit", "SnapshotWindow", "PreferredMaintenanceWindow",
                             "AutoMinorVersionUpgrade"}) {
    if (in.contains(member)) cluster->spec[member] = in[member];
  }
  // A smaller type waits until the node's data is seen to fit it.
  if (held.contains("CacheNodeType")) cache::changeNodeType(*cluster, held["CacheNodeType"], catalog_.clock()->now());
  auto stored = catalog_.updateResource(*cluster);
  if (!stored) return stored.error();
  if (stored->status == kModifying) reconciler_.wake();
  return Json{{"CacheCluster", clusterView(*stored, false)}};
}

Result<Resource> ElastiCacheApi::startDeletion(const RequestContext& c, Resource resource,
                                               const std::string& finalSnapshot) {
  if (!finalSnapshot.empty() && cache::isMemcached(resource)) {
    return ApiError::sender("SnapshotFeatureNotSupportedFault", "Snapshots are not supported for Memcached clusters.");
  }
  bool deletable = resource.status == kAvailable || resource.status == kRestoreFailed || resource.status == kFailed;
  bool group = resource.kind == kReplicationGroup;
  if (!deletable) {
    return ApiError::sender(group ? "InvalidReplicationGroupState" : "InvalidCacheClusterState",
                            std::string(group ? "Replication group " : "Cache cluster ") + resource.name +
                                " is not in available state (it is " + resource.status + ").");
  }
  if (!finalSnapshot.empty() && resource.status != kAvailable) {
    return combination("A final snapshot needs the " + std::string(group ? "replication group" : "cluster") +
                       " to be available.");
  }
  // The final snapshot and the deletion are recorded together; the
  // controller waits for the snapshot before it stops the nodes.
  auto deleted = catalog_.transact([&]() -> Result<Resource> {
    if (!finalSnapshot.empty()) {
      if (catalog_.getResource(c.accountId, c.region, kSnapshot, finalSnapshot).ok()) {
        return ApiError::sender("SnapshotAlreadyExistsFault", "Snapshot " + finalSnapshot + " already exists.");
      }
      auto made = catalog_.createResource(cache::newSnapshotRecord(resource, finalSnapshot, "manual"));
      if (!made) return made.error();
      resource.spec["FinalSnapshotIdentifier"] = finalSnapshot;
    }
    resource.status = kDeleting;
    resource.goal = kDeleted;
    return catalog_.updateResource(resource);
  });
  if (deleted) reconciler_.wake();
  return deleted;
}

Result<Json> ElastiCacheApi::deleteCluster(const RequestContext& c, const Json& in) {
  auto cluster = findCluster(c, in["CacheClusterId"]);
  if (!cluster) return cluster.error();
  auto deleted = startDeletion(c, *cluster, in.value("FinalSnapshotIdentifier", ""));
  if (!deleted) return deleted.error();
  return Json{{"CacheCluster", clusterView(*deleted, false)}};
}

Result<Json> ElastiCacheApi::rebootCluster(const RequestContext& c, const Json& in) {
  auto cluster = findCluster(c, in["CacheClusterId"]);
  if (!cluster) return rebootGroupMember(c, in, cluster.error());
  bool memcached = cache::isMemcached(*cluster);
  for (const auto& node : in["CacheNodeIdsToReboot"]) {
    bool known = memcached ? cluster->state["Nodes"].contains(node.get<std::string>()) : node == kNodeId;
    if (!known) return invalid("Cache node " + node.get<std::string>() + " is not a node of " + cluster->name + ".");
  }
  if (cluster->status != kAvailable) return notAvailable(*cluster);
  if (memcached) cluster->state["NodesToReboot"] = in["CacheNodeIdsToReboot"];
  cluster->status = kRebooting;
  cluster->goal = kAvailable;
  auto stored = catalog_.updateResource(*cluster);
  if (!stored) return stored.error();
  reconciler_.wake();
  return Json{{"CacheCluster", clusterView(*stored, false)}};
}

}  // namespace kura::elasticache

namespace kura::elasticache {

Result<Json> ElastiCacheApi::rebootGroupMember(const RequestContext& c, const Json& in, const ApiError& notFound) {
  std::string id = rds::lowerCase(in["CacheClusterId"].get<std::string>());
  for (Resource group : allOfKind(c, kReplicationGroup)) {
    if (group.status == kDeleted || !group.state.contains("Members") || !group.state["Members"].contains(id)) {
      continue;
    }
    for (const auto& node : in["CacheNodeIdsToReboot"]) {
      if (node != kNodeId) return invalid("Cache node " + node.get<std::string>() + " is not a node of " + id + ".");
    }
    if (group.spec.value("ClusterEnabled", false)) {
      // As ElastiCache: "Rebooting is not supported on Redis (cluster mode enabled) clusters."
      return combination("Rebooting is not supported on Redis (cluster mode enabled) clusters: " + id +
                         " is a node of " + group.name + ". TestFailover fails a node group over.");
    }
    if (group.status != kAvailable) {
      return ApiError::sender("InvalidCacheClusterState", "Cache cluster " + id + " is not in available state (its "
                                                              "replication group is " + group.status + ").");
    }
    group.state["MembersToReboot"] = Json::array({id});
    group.status = kModifying;
    auto stored = catalog_.updateResource(group);
    if (!stored) return stored.error();
    reconciler_.wake();
    for (Json& view : memberClusterViews(*stored, false)) {
      if (view["CacheClusterId"] == id) return Json{{"CacheCluster", view}};
    }
  }
  return notFound;
}

}  // namespace kura::elasticache
