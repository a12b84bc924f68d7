#include <fmt/format.h>

#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "cache/cache_parameters.h"
#include "cache/node_type_change.h"
#include "cache/cluster_mode.h"
#include "catalog/pending_maintenance.h"
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
// A group with cluster mode disabled described by one NodeGroupConfiguration,
// as AWS documents it: its replica count and zones are the group's
// (NumCacheClusters, PreferredCacheClusterAZs).
Result<Json> withOneNodeGroup(const Json& in) {
  if (in.value("NodeGroupConfiguration", Json::array()).empty()) return in;
  const Json& nodeGroup = in["NodeGroupConfiguration"][0];
  Json flat = in;
  flat.erase("NodeGroupConfiguration");
  if (nodeGroup.contains("Slots")) return combination("Slots are for a replication group with cluster mode enabled.");
  if (nodeGroup.value("NodeGroupId", "0001") != "0001") {
    return invalid("A replication group with cluster mode disabled has one node group, 0001.");
  }
  if (nodeGroup.contains("ReplicaCount")) {
    int replicas = nodeGroup["ReplicaCount"].get<int>();
    if (replicas < 0 || replicas > 5) return invalid("A node group has 0 to 5 replicas (ReplicaCount).");
    int clusters = replicas + 1;
    if ((in.contains("NumCacheClusters") && in["NumCacheClusters"].get<int>() != clusters) ||
        (in.contains("ReplicasPerNodeGroup") && in["ReplicasPerNodeGroup"].get<int>() + 1 != clusters)) {
      return combination(
          "NodeGroupConfiguration's ReplicaCount disagrees with NumCacheClusters or ReplicasPerNodeGroup.");
    }
    if (!in.contains("ReplicasPerNodeGroup")) flat["NumCacheClusters"] = clusters;
  } else if (nodeGroup.contains("ReplicaAvailabilityZones") && !in.contains("NumCacheClusters") &&
             !in.contains("ReplicasPerNodeGroup")) {
    flat["NumCacheClusters"] = static_cast<int>(nodeGroup["ReplicaAvailabilityZones"].size()) + 1;
  }
  if (nodeGroup.contains("PrimaryAvailabilityZone") || nodeGroup.contains("ReplicaAvailabilityZones")) {
    if (in.contains("PreferredCacheClusterAZs")) {
      return combination("Give the zones in PreferredCacheClusterAZs or in NodeGroupConfiguration, not both.");
    }
    if (!nodeGroup.contains("PrimaryAvailabilityZone")) {
      return combination("ReplicaAvailabilityZones needs the PrimaryAvailabilityZone of the node group.");
    }
    std::vector<std::string> zones = {nodeGroup["PrimaryAvailabilityZone"].get<std::string>()};
    for (const Json& zone : nodeGroup.value("ReplicaAvailabilityZones", Json::array())) zones.push_back(zone);
    // Replicas without a zone of their own get the subnet group's in turn.
    int clusters = flat.value("NumCacheClusters", flat.value("ReplicasPerNodeGroup", 0) + 1);
    if (zones.size() > static_cast<size_t>(clusters)) {
      return combination("NodeGroupConfiguration names more zones than the node group has cache clusters.");
    }
    flat["PreferredCacheClusterAZs"] = zones;
  }
  return flat;
}

ApiError notAvailable(const Resource& group) {
  return ApiError::sender("InvalidReplicationGroupState", "Replication group " + group.name +
                                                              " is not in available state (it is " + group.status + ").");
}

}  // namespace

Result<Resource> ElastiCacheApi::findGroup(const RequestContext& c, const std::string& id) {
  auto found = catalog_.getResource(c.accountId, c.region, kReplicationGroup, rds::lowerCase(id));
  if (!found || found->status == kDeleted) {
    return ApiError::sender("ReplicationGroupNotFoundFault", "Replication group " + id + " not found.", 404);
  }
  return found;
}

Result<Json> ElastiCacheApi::createReplicationGroup(const RequestContext& c, const Json& given) {
  std::string id = rds::lowerCase(given["ReplicationGroupId"].get<std::string>());
  if (auto error = checkCacheIdentifier(id, "ReplicationGroupId", 40)) return *error;
  if (clusterModeAsked(c, given)) return createClusterModeGroup(c, given, id);
  auto flattened = withOneNodeGroup(given);
  if (!flattened) return flattened.error();
  const Json& in = *flattened;
  if (in.value("NumNodeGroups", 1) != 1) return invalid("NumNodeGroups must be between 1 and 500.");
  for (const char* unsupported : {"GlobalReplicationGroupId", "PrimaryClusterId"}) {
    if (in.contains(unsupported)) return combination(std::string(unsupported) + " is not supported by Kura.");
  }
  auto restore = restoreSource(c, in);
  if (!restore) return restore.error();
  const std::optional<Resource>& snapshot = *restore;
  if (snapshot && snapshot->spec.value("NumNodeGroups", 1) > 1) {
    return combination("Snapshot " + snapshot->name +
                       " holds several node groups: it restores into a replication group with cluster mode enabled.");
  }
  auto version = checkEngine(in, "redis");
  if (!version) return version.error();
  if (auto error = checkSettings(in)) return *error;
  int clusters = in.value("NumCacheClusters", 1);
  if (in.contains("ReplicasPerNodeGroup")) {
    if (in.contains("NumCacheClusters")) return combination("Give NumCacheClusters or ReplicasPerNodeGroup, not both.");
    clusters = in["ReplicasPerNodeGroup"].get<int>() + 1;
  }
  if (clusters < 1 || clusters > 6) return invalid("A replication group has 1 to 6 cache clusters (0 to 5 replicas).");
  bool failover = in.value("AutomaticFailoverEnabled", false);
  bool multiAz = in.value("MultiAZEnabled", false);
  if (failover && clusters < 2) {
    return invalid("Automatic failover needs at least one replica: NumCacheClusters must be at least 2.");
  }
  if (multiAz && !failover) return combination("Multi-AZ needs AutomaticFailoverEnabled.");
  bool encrypted = in.value("AtRestEncryptionEnabled", false);
  std::string keyArn;
  if (in.contains("KmsKeyId") && !encrypted) return combination("KmsKeyId needs AtRestEncryptionEnabled.");
  if (encrypted) {
    auto key = usableKmsKey(c, in.value("KmsKeyId", "alias/aws/elasticache"));
    if (!key) return key.error();
    keyArn = *key;
  }
  if (in.contains("Port") && (in["Port"].get<int>() < 1024 || in["Port"].get<int>() > 65535)) {
    return invalid("Invalid port " + std::to_string(in["Port"].get<int>()) + ".");
  }
  std::vector<std::string> zones = in.value("PreferredCacheClusterAZs", std::vector<std::string>());
  // Zones given as the node group's may name fewer (the rest placed in turn).
  if (given.contains("PreferredCacheClusterAZs") && zones.size() != static_cast<size_t>(clusters)) {
    return invalid("PreferredCacheClusterAZs must name one zone per cache cluster.");
  }
  const Json from = snapshot ? snapshot->spec : Json::object();
  std::string major = version->substr(0, version->find('.'));
  Json spec = {{"ReplicationGroupId", id},
               {"ReplicationGroupDescription", in["ReplicationGroupDescription"]},
               {"Engine", "redis"},
               {"EngineVersion", config_.redisVersion},
               {"CacheNodeType", in.value("CacheNodeType", from.value("CacheNodeType", "cache.t3.micro"))},
               {"NumCacheClusters", clusters},
               {"AutomaticFailoverEnabled", failover},
               {"MultiAZEnabled", multiAz},
               {"AtRestEncryptionEnabled", encrypted},
               {"PreferredMaintenanceWindow", in.value("PreferredMaintenanceWindow", "sun:23:00-mon:01:30")},
               {"CacheParameterGroupName", "default.redis" + major},
               {"AutoMinorVersionUpgrade", in.value("AutoMinorVersionUpgrade", true)},
               {"SnapshotRetentionLimit", in.value("SnapshotRetentionLimit", 0)},
               {"SnapshotWindow", in.value("SnapshotWindow", from.value("SnapshotWindow", "05:00-06:00"))}};
  // A snapshot's type, restored, as a given one (a snapshot made before
  // Kura refused made-up types may carry one).
  if (auto error = checkNodeType(spec)) return *error;
  if (encrypted) spec["KmsKeyId"] = keyArn;
  if (snapshot) spec["RestoreSnapshotArn"] = snapshot->arn;
  if (auto error = placeCacheParameterGroup(catalog_, c, in, cache::redisFamilyOf(config_.redisVersion), spec)) {
    return *error;
  }
  if (auto error = recordNewAccess(c, in, spec, /*group=*/true)) return *error;
  auto created = recordNew(c, kReplicationGroup, id, spec, in, [&](Resource& draft) -> std::optional<ApiError> {
    std::optional<int> wanted;
    if (in.contains("Port")) wanted = in["Port"].get<int>();
    auto endpoint = ports_.allocate(draft.arn, wanted);
    if (!endpoint && wanted) {
      return invalid("Port " + std::to_string(*wanted) + " is in use on this host; choose another or omit Port.");
    }
    auto reader = ports_.allocate(draft.arn + "#reader");
    Json members = Json::object();
    for (int i = 1; i <= clusters; ++i) {
      std::string member = fmt::format("{}-{:03}", id, i);
      auto port = ports_.allocate(draft.arn + "#" + member);
      auto enginePort = port ? ports_.allocate(draft.arn + "#" + member + "#engine") : std::nullopt;
      if (!enginePort) break;
      std::string zone = draft.spec["PreferredCacheClusterAZs"][i - 1];  // of its subnet group (recordNew)
      members[member] = {{"Port", *port}, {"EnginePort", *enginePort}, {"AvailabilityZone", zone}};
    }
    if (!endpoint || !reader || members.size() != static_cast<size_t>(clusters)) {
      return ApiError::sender("InsufficientCacheClusterCapacity", "No free engine port is left in Kura's port range.");
    }
    draft.state = {{"Address", config_.endpointAddress}, {"EndpointPort", *endpoint}, {"ReaderPort", *reader},
                   {"Members", members}, {"Primary", fmt::format("{}-001", id)}};
    return std::nullopt;
  });
  if (!created) return created.error();
  return Json{{"ReplicationGroup", groupView(*created)}};
}

Result<Json> ElastiCacheApi::describeReplicationGroups(const RequestContext& c, const Json& in) {
  auto limit = pageSize(in, 100);
  if (!limit) return limit.error();
  Json out = {{"ReplicationGroups", Json::array()}};
  if (in.contains("ReplicationGroupId")) {
    auto found = findGroup(c, in["ReplicationGroupId"]);
    if (!found) return found.error();
    out["ReplicationGroups"].push_back(groupView(*found));
    return out;
  }
  std::string after;
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    after = *decoded;
  }
  ResourcePage page = catalog_.listResources(c.accountId, c.region, kReplicationGroup, after, *limit);
  for (const Resource& group : page.items) out["ReplicationGroups"].push_back(groupView(group));
  if (page.truncated && !page.items.empty()) out["Marker"] = encodeAfterName(page.items.back().name);
  return out;
}

Result<Json> ElastiCacheApi::modifyReplicationGroup(const RequestContext& c, const Json& in) {
  auto group = findGroup(c, in["ReplicationGroupId"]);
  if (!group) return group.error();
  if (group->status != kAvailable) return notAvailable(*group);
  if (auto error = checkSettings(in)) return *error;
  // Security groups change at once, as in ElastiCache.
  if (auto changed = changeCacheSecurityGroups(catalog_, c, in, group->spec); !changed) return changed.error();
  if (auto error = changeCacheParameterGroup(catalog_, c, in, *group)) return *error;
  if (in.contains("EngineVersion")) {
    if (auto error = checkEngineVersionChange("redis", in["EngineVersion"], config_.redisVersion)) return *error;
  }
  // The AUTH token and user groups apply at once, as with ApplyImmediately.
  auto access = modifyAccess(c, in, *group);
  if (!access) return access.error();
  if (*access) {
    if (auto error = recordClientUsers(c, *group)) return *error;
  }
  Json& spec = group->spec;
  if (in.contains("SnapshottingClusterId") && in["SnapshottingClusterId"] != group->state.value("Primary", "")) {
    return invalid("Kura takes a replication group's snapshots from its primary (" +
                   group->state.value("Primary", std::string()) + "): another SnapshottingClusterId is not supported.");
  }
  if (in.contains("NodeGroupId") && in["NodeGroupId"] != "0001") {
    return invalid("Node group " + in["NodeGroupId"].get<std::string>() + " is not one of " + group->name + ".");
  }
  if (spec.value("ClusterEnabled", false) &&
      (!in.value("AutomaticFailoverEnabled", true) || in.contains("PrimaryClusterId"))) {
    return combination("A replication group with cluster mode enabled keeps automatic failover, and its primaries "
                       "change by TestFailover per node group.");
  }
  bool failover = in.value("AutomaticFailoverEnabled", spec.value("AutomaticFailoverEnabled", false));
  bool multiAz = in.value("MultiAZEnabled", spec.value("MultiAZEnabled", false));
  if (failover && spec.value("NumCacheClusters", 1) < 2) {
    return invalid("Automatic failover needs at least one replica.");
  }
  if (multiAz && !failover) return combination("Multi-AZ needs AutomaticFailoverEnabled.");
  spec["AutomaticFailoverEnabled"] = failover;
  spec["MultiAZEnabled"] = multiAz;
  if (in.contains("ReplicationGroupDescription")) spec["ReplicationGroupDescription"] = in["ReplicationGroupDescription"];
  for (const char* member : {"SnapshotRetentionLimit", "SnapshotWindow", "PreferredMaintenanceWindow",
                             "AutoMinorVersionUpgrade"}) {
    if (in.contains(member)) spec[member] = in[member];
  }
  // A new node type waits for the maintenance window unless ApplyImmediately
  // (the members show it pending), as on ElastiCache.
  Json held = in;
  holdForMaintenanceWindow(held, *group, {"CacheNodeType"}, in.value("ApplyImmediately", false));
  // A smaller type waits until every node's data is seen to fit it.
  if (held.contains("CacheNodeType")) cache::changeNodeType(*group, held["CacheNodeType"], catalog_.clock()->now());
  if (in.contains("PrimaryClusterId") && in["PrimaryClusterId"] != group->state.value("Primary", "")) {
    // A planned switch to the member asked for.
    std::string target = in["PrimaryClusterId"];
    if (!group->state["Members"].contains(target)) {
      return ApiError::sender("CacheClusterNotFound", "CacheCluster not found: " + target, 404);
    }
    group->state["FailoverRequested"] = true;
    group->state["FailoverTarget"] = target;
    group->status = kModifying;
  }
  auto stored = catalog_.updateResource(*group);
  if (!stored) return stored.error();
  reconciler_.wake();
  return Json{{"ReplicationGroup", groupView(*stored)}};
}

Result<Json> ElastiCacheApi::deleteReplicationGroup(const RequestContext& c, const Json& in) {
  auto group = findGroup(c, in["ReplicationGroupId"]);
  if (!group) return group.error();
  if (in.value("RetainPrimaryCluster", false)) {
    return invalid("RetainPrimaryCluster is not supported by Kura: the whole group is deleted.");
  }
  auto deleted = startDeletion(c, *group, in.value("FinalSnapshotIdentifier", ""));
  if (!deleted) return deleted.error();
  return Json{{"ReplicationGroup", groupView(*deleted)}};
}

Result<Json> ElastiCacheApi::testFailover(const RequestContext& c, const Json& in) {
  auto group = findGroup(c, in["ReplicationGroupId"]);
  if (!group) return group.error();
  if (cache::ClusterModeGroups::enabled(*group)) return testClusterModeFailover(c, in, *group);
  if (in["NodeGroupId"] != "0001") {
    return ApiError::sender("NodeGroupNotFoundFault", "Node group " + in["NodeGroupId"].get<std::string>() + " not found.", 404);
  }
  if (group->status != kAvailable) return notAvailable(*group);
  if (!group->spec.value("AutomaticFailoverEnabled", false)) {
    return ApiError::sender("InvalidReplicationGroupState",
                            "Replication group " + group->name + " does not have automatic failover enabled.");
  }
  group->state["FailoverRequested"] = true;
  group->state.erase("FailoverTarget");
  group->status = kModifying;
  auto stored = catalog_.updateResource(*group);
  if (!stored) return stored.error();
  reconciler_.wake();
  return Json{{"ReplicationGroup", groupView(*stored)}};
}

}  // namespace kura::elasticache
