// Replication groups with cluster mode enabled (cache/cluster_mode.h):
// CreateReplicationGroup with NumNodeGroups/ReplicasPerNodeGroup or
// NodeGroupConfiguration, ModifyReplicationGroupShardConfiguration,
// IncreaseReplicaCount and DecreaseReplicaCount.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "cache/cache_parameters.h"
#include "cache/cluster_mode.h"
#include "cache/cluster_slots.h"
#include "services/elasticache/cache_network.h"
#include "services/elasticache/cache_parameter_groups.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/elasticache/elasticache_validation.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_validation.h"

namespace kura::elasticache {
namespace {

constexpr int kMaxNodeGroups = 500;
constexpr int kMaxReplicas = 5;
// Nodes of one group, all node groups together (ElastiCache's default
// quota): each is a Redis process on this host.
constexpr int kMaxNodes = 90;

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError combination(std::string message) {
  return ApiError::sender("InvalidParameterCombination", std::move(message));
}
ApiError replicasOutOfRange() { return invalid("The number of replicas per node group must be within 0 and 5."); }
ApiError tooManyNodes(int nodes) {
  return ApiError::sender("NodeQuotaForClusterExceeded", "The replication group would have " + std::to_string(nodes) +
                                                             " nodes; the quota is " + std::to_string(kMaxNodes) + ".");
}

std::string memberName(const std::string& group, const std::string& nodeGroup, int index) {
  return fmt::format("{}-{}-{:03}", group, nodeGroup, index);
}

std::string nodeGroupName(int number) { return fmt::format("{:04}", number); }

// A node group id is four digits, 0001 to 9999: it becomes part of its
// members' names and so of their folders.
std::optional<ApiError> checkNodeGroupId(const std::string& id) {
  if (id.size() != 4 || id.find_first_not_of("0123456789") != std::string::npos || id == "0000") {
    return invalid("NodeGroupId " + id.substr(0, 16) + " is not valid: it is four digits, 0001 to 9999.");
  }
  return std::nullopt;
}

// The zones of a node group's nodes: those asked for, then the subnet
// group's in turn, starting after the primary's.
std::vector<std::string> zonesFor(const std::vector<std::string>& asked, const std::vector<std::string>& pool,
                                  size_t count, size_t offset) {
  std::vector<std::string> zones;
  for (size_t i = 0; i < count; ++i) {
    if (i < asked.size() && !asked[i].empty()) {
      zones.push_back(asked[i]);
    } else {
      zones.push_back(pool.empty() ? "" : pool[(offset + i) % pool.size()]);
    }
  }
  return zones;
}

// The subnet group's zones, as recordNew placed them (one per node, in turn).
std::vector<std::string> zonePool(const Json& spec) {
  std::vector<std::string> pool;
  for (const auto& zone : spec.value("PreferredCacheClusterAZs", Json::array())) {
    std::string name = zone.get<std::string>();
    if (std::find(pool.begin(), pool.end(), name) == pool.end()) pool.push_back(name);
  }
  return pool;
}

// Allocates a new member's ports; false when the range is exhausted.
bool allocateMember(PortAllocator& ports, const std::string& arn, const std::string& member, Json& record) {
  auto port = ports.allocate(arn + "#" + member);
  auto enginePort = port ? ports.allocate(arn + "#" + member + "#engine") : std::nullopt;
  auto busPort = enginePort ? ports.allocate(arn + "#" + member + "#bus") : std::nullopt;
  if (!busPort) {
    for (auto allocated : {port, enginePort}) {
      if (allocated) ports.release(*allocated);
    }
    return false;
  }
  record["Port"] = *port;
  record["EnginePort"] = *enginePort;
  record["BusPort"] = *busPort;
  return true;
}

ApiError noCapacity() {
  return ApiError::sender("InsufficientCacheClusterCapacity", "No free engine port is left in Kura's port range.");
}

// The highest member index of a node group.
int lastIndex(const Resource& group, const std::string& nodeGroup) {
  int last = 0;
  for (const std::string& member : cache::ClusterModeGroups::membersOf(group, nodeGroup)) {
    last = std::max(last, std::atoi(member.substr(member.size() - 3).c_str()));
  }
  return last;
}

}  // namespace

bool ElastiCacheApi::clusterModeAsked(const RequestContext& c, const Json& in) {
  if (in.value("ClusterMode", "") == "enabled") return true;
  if (in.value("NumNodeGroups", 1) > 1 || in.value("NodeGroupConfiguration", Json::array()).size() > 1) return true;
  std::string name = rds::lowerCase(in.value("CacheParameterGroupName", ""));
  if (name.size() > 11 && name.substr(name.size() - 11) == ".cluster.on") return true;
  auto custom = catalog_.getResource(c.accountId, c.region, kCacheParameterGroup, name);
  return custom && custom->spec.value("Parameters", Json::object()).value("cluster-enabled", "no") == "yes";
}

Result<Json> ElastiCacheApi::createClusterModeGroup(const RequestContext& c, const Json& in, const std::string& id) {
  for (const char* unsupported : {"GlobalReplicationGroupId", "PrimaryClusterId"}) {
    if (in.contains(unsupported)) return combination(std::string(unsupported) + " is not supported by Kura.");
  }
  if (in.contains("NumCacheClusters")) {
    return combination("NumCacheClusters is for replication groups with cluster mode disabled; "
                       "use NumNodeGroups and ReplicasPerNodeGroup.");
  }
  if (in.value("ClusterMode", "enabled") != "enabled") {
    return combination("ClusterMode " + in["ClusterMode"].get<std::string>() + " does not go with several node groups.");
  }
  auto restore = restoreSource(c, in);
  if (!restore) return restore.error();
  const std::optional<Resource>& snapshot = *restore;
  auto version = checkEngine(in, "redis");
  if (!version) return version.error();
  if (auto error = checkSettings(in)) return *error;
  Json configs = in.value("NodeGroupConfiguration", Json::array());
  const Json from = snapshot ? snapshot->spec : Json::object();
  int shards = in.value("NumNodeGroups", configs.empty() ? from.value("NumNodeGroups", 1) : static_cast<int>(configs.size()));
  if (shards < 1 || shards > kMaxNodeGroups) {
    return invalid("NumNodeGroups must be between 1 and " + std::to_string(kMaxNodeGroups) + ".");
  }
  if (!configs.empty() && configs.size() != static_cast<size_t>(shards)) {
    return invalid("The number of NodeGroupConfiguration elements (" + std::to_string(configs.size()) +
                   ") must match NumNodeGroups (" + std::to_string(shards) + ").");
  }
  int replicas = in.value("ReplicasPerNodeGroup", 1);
  if (replicas < 0 || replicas > kMaxReplicas) return replicasOutOfRange();
  if (in.contains("AutomaticFailoverEnabled") && !in["AutomaticFailoverEnabled"].get<bool>()) {
    return combination("Redis with cluster mode enabled cannot be created with automatic failover disabled.");
  }
  bool multiAz = in.value("MultiAZEnabled", false);
  // Each node group: its id, slots, replica count and zones.
  struct Shard {
    std::string id;
    std::vector<cache::SlotRange> slots;
    int replicas = 0;
    std::vector<std::string> zones;  // primary first
  };
  std::vector<Shard> plan;
  std::set<std::string> ids;
  bool slotsGiven = false;
  for (int i = 0; i < shards; ++i) {
    Shard shard;
    Json config = configs.empty() ? Json::object() : configs[static_cast<size_t>(i)];
    shard.id = config.value("NodeGroupId", nodeGroupName(i + 1));
    if (auto error = checkNodeGroupId(shard.id)) return *error;
    if (!ids.insert(shard.id).second) return invalid("NodeGroupId " + shard.id + " is given twice.");
    shard.replicas = config.value("ReplicaCount", replicas);
    if (shard.replicas < 0 || shard.replicas > kMaxReplicas) return replicasOutOfRange();
    if (config.contains("Slots")) {
      auto parsed = cache::parseSlots(config["Slots"].get<std::string>());
      if (!parsed) return invalid("Invalid slots " + config["Slots"].get<std::string>() + " for node group " + shard.id + ".");
      shard.slots = *parsed;
      slotsGiven = true;
    }
    std::vector<std::string> asked;
    if (config.contains("PrimaryAvailabilityZone")) asked.push_back(config["PrimaryAvailabilityZone"]);
    for (const auto& zone : config.value("ReplicaAvailabilityZones", Json::array())) {
      if (asked.empty()) asked.push_back("");
      asked.push_back(zone);
    }
    if (config.contains("ReplicaAvailabilityZones") && config["ReplicaAvailabilityZones"].size() != static_cast<size_t>(shard.replicas)) {
      return invalid("ReplicaAvailabilityZones of node group " + shard.id + " must name one zone per replica.");
    }
    shard.zones = asked;
    plan.push_back(std::move(shard));
  }
  if (slotsGiven) {
    std::vector<cache::SlotRange> all;
    for (const Shard& shard : plan) {
      if (shard.slots.empty()) return invalid("Slots must be given for every node group or for none.");
      all.insert(all.end(), shard.slots.begin(), shard.slots.end());
    }
    std::sort(all.begin(), all.end());
    int next = 0;
    for (const auto& [first, last] : all) {
      if (first != next) {
        return invalid("The node groups' slots must cover 0-16383 exactly once (slot " +
                       std::to_string(first < next ? first : next) + (first < next ? " is given twice)." : " is missing)."));
      }
      next = last + 1;
    }
    if (next != cache::kClusterSlots) {
      return invalid("The node groups' slots must cover 0-16383 exactly once (slot " + std::to_string(next) +
                     " is missing).");
    }
  } else {
    for (int i = 0; i < shards; ++i) plan[static_cast<size_t>(i)].slots = cache::evenSlotShare(i, shards);
  }
  int nodes = 0;
  for (const Shard& shard : plan) nodes += shard.replicas + 1;
  if (nodes > kMaxNodes) return tooManyNodes(nodes);
  if (multiAz && nodes == shards) return combination("Multi-AZ needs at least one replica in each node group.");
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
  Json spec = {{"ReplicationGroupId", id},
               {"ReplicationGroupDescription", in["ReplicationGroupDescription"]},
               {"Engine", "redis"},
               {"EngineVersion", config_.redisVersion},
               {"CacheNodeType", in.value("CacheNodeType", from.value("CacheNodeType", "cache.t3.micro"))},
               {"ClusterEnabled", true},
               {"NumNodeGroups", shards},
               {"NumCacheClusters", nodes},  // one zone each (placeCacheNetwork)
               {"AutomaticFailoverEnabled", true},
               {"MultiAZEnabled", multiAz},
               {"AtRestEncryptionEnabled", encrypted},
               {"PreferredMaintenanceWindow", in.value("PreferredMaintenanceWindow", "sun:23:00-mon:01:30")},
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
    if (!endpoint) return noCapacity();
    std::vector<std::string> pool = zonePool(draft.spec);
    Json members = Json::object();
    Json nodeGroups = Json::object();
    size_t offset = 0;
    for (const Shard& shard : plan) {
      std::vector<std::string> zones = zonesFor(shard.zones, pool, static_cast<size_t>(shard.replicas + 1), offset++);
      for (int k = 0; k <= shard.replicas; ++k) {
        std::string member = memberName(id, shard.id, k + 1);
        Json record = {{"AvailabilityZone", zones[static_cast<size_t>(k)]}, {"NodeGroup", shard.id}};
        if (!allocateMember(ports_, draft.arn, member, record)) return noCapacity();
        members[member] = record;
      }
      nodeGroups[shard.id] = {{"Slots", cache::slotsText(shard.slots)}, {"Primary", memberName(id, shard.id, 1)}};
    }
    draft.state = {{"Address", config_.endpointAddress}, {"EndpointPort", *endpoint}, {"Members", members},
                   {"NodeGroups", nodeGroups}};
    return std::nullopt;
  });
  if (!created) return created.error();
  return Json{{"ReplicationGroup", groupView(*created)}};
}

Result<Resource> ElastiCacheApi::findClusterModeGroup(const RequestContext& c, const Json& in) {
  auto group = findGroup(c, in["ReplicationGroupId"]);
  if (!group) return group.error();
  if (!cache::ClusterModeGroups::enabled(*group)) {
    return combination("Replication group " + group->name +
                       " has cluster mode disabled: Kura changes the shards and replicas of groups with cluster mode "
                       "enabled only.");
  }
  if (group->status != kAvailable) {
    return ApiError::sender("InvalidReplicationGroupState",
                            "Replication group " + group->name + " is not in available state (it is " + group->status + ").");
  }
  if (in.contains("ApplyImmediately") && !in["ApplyImmediately"].get<bool>()) {
    return invalid("ApplyImmediately must be true: the change cannot wait for the maintenance window.");
  }
  return group;
}

// Node groups or replicas added or removed, in one transaction: a call refused
// after some new members took their ports (the range ran out at a later one,
// the record could not be stored) gives them back, and a crash before it is
// stored keeps none.
Result<Json> ElastiCacheApi::modifyShardConfiguration(const RequestContext& c, const Json& in) {
  auto changed = catalog_.transact([&] { return changeShardCount(c, in); });
  if (changed) reconciler_.wake();
  return changed;
}

Result<Json> ElastiCacheApi::increaseReplicaCount(const RequestContext& c, const Json& in) {
  auto changed = catalog_.transact([&] { return changeReplicaCount(c, in, true); });
  if (changed) reconciler_.wake();
  return changed;
}

Result<Json> ElastiCacheApi::decreaseReplicaCount(const RequestContext& c, const Json& in) {
  auto changed = catalog_.transact([&] { return changeReplicaCount(c, in, false); });
  if (changed) reconciler_.wake();
  return changed;
}

Result<Json> ElastiCacheApi::changeShardCount(const RequestContext& c, const Json& in) {
  auto group = findClusterModeGroup(c, in);
  if (!group) return group.error();
  int count = in["NodeGroupCount"];
  std::vector<std::string> current = cache::ClusterModeGroups::nodeGroups(*group);
  int have = static_cast<int>(current.size());
  if (count < 1 || count > kMaxNodeGroups) {
    return invalid("NodeGroupCount must be between 1 and " + std::to_string(kMaxNodeGroups) + ".");
  }
  if (count == have) {
    return invalid("The replication group already has " + std::to_string(have) + " node groups.");
  }
  Resource& record = *group;
  if (count > have) {
    if (in.contains("NodeGroupsToRemove") || in.contains("NodeGroupsToRetain")) {
      return combination("NodeGroupsToRemove and NodeGroupsToRetain are for decreasing NodeGroupCount.");
    }
    Json resharding = in.value("ReshardingConfiguration", Json::array());
    if (!resharding.empty() && resharding.size() != static_cast<size_t>(count - have)) {
      return invalid("ReshardingConfiguration must have one element per node group added (" +
                     std::to_string(count - have) + ").");
    }
    std::string first = current.front();
    int replicas = static_cast<int>(cache::ClusterModeGroups::membersOf(record, first).size()) - 1;
    int nodes = static_cast<int>(record.state["Members"].size()) + (count - have) * (replicas + 1);
    if (nodes > kMaxNodes) return tooManyNodes(nodes);
    std::vector<std::string> pool = zonePool(record.spec);
    int next = std::atoi(current.back().c_str()) + 1;
    // Every id is checked before any port is taken (a refused call keeps none).
    std::vector<std::string> added;
    for (int i = 0; i < count - have; ++i) {
      Json config = resharding.empty() ? Json::object() : resharding[static_cast<size_t>(i)];
      std::string id = config.value("NodeGroupId", nodeGroupName(next++));
      if (auto error = checkNodeGroupId(id)) return *error;
      if (record.state["NodeGroups"].contains(id) || std::find(added.begin(), added.end(), id) != added.end()) {
        return invalid("Node group " + id + " already exists.");
      }
      added.push_back(id);
    }
    for (int i = 0; i < count - have; ++i) {
      Json config = resharding.empty() ? Json::object() : resharding[static_cast<size_t>(i)];
      const std::string& id = added[static_cast<size_t>(i)];
      std::vector<std::string> zones = zonesFor(config.value("PreferredAvailabilityZones", std::vector<std::string>()),
                                                pool, static_cast<size_t>(replicas + 1), static_cast<size_t>(have + i));
      for (int k = 0; k <= replicas; ++k) {
        std::string member = memberName(record.name, id, k + 1);
        Json node = {{"AvailabilityZone", zones[static_cast<size_t>(k)]}, {"NodeGroup", id}};
        if (!allocateMember(ports_, record.arn, member, node)) return noCapacity();
        record.state["Members"][member] = node;
      }
      record.state["NodeGroups"][id] = {{"Slots", ""}, {"Primary", memberName(record.name, id, 1)}};
    }
  } else {
    std::vector<std::string> removing;
    if (in.contains("NodeGroupsToRemove")) {
      removing = in["NodeGroupsToRemove"].get<std::vector<std::string>>();
    } else if (in.contains("NodeGroupsToRetain")) {
      auto retain = in["NodeGroupsToRetain"].get<std::vector<std::string>>();
      for (const std::string& id : current) {
        if (std::find(retain.begin(), retain.end(), id) == retain.end()) removing.push_back(id);
      }
    } else {
      return invalid("Either NodeGroupsToRemove or NodeGroupsToRetain is required when NodeGroupCount decreases.");
    }
    std::set<std::string> unique(removing.begin(), removing.end());
    for (const std::string& id : unique) {
      if (!record.state["NodeGroups"].contains(id)) {
        return ApiError::sender("NodeGroupNotFoundFault", "Node group " + id + " not found.", 404);
      }
    }
    if (static_cast<int>(unique.size()) != have - count) {
      return invalid("NodeGroupCount " + std::to_string(count) + " leaves " + std::to_string(have - count) +
                     " node groups to remove, not " + std::to_string(unique.size()) + ".");
    }
    for (const std::string& id : unique) record.state["NodeGroups"][id]["Leaving"] = true;
  }
  record.state["Rebalance"] = true;
  record.state["ModifyMessage"] = "Replication group " + record.name + " now has " + std::to_string(count) +
                                  " node groups";
  record.status = kModifying;
  auto stored = catalog_.updateResource(record);
  if (!stored) return stored.error();
  return Json{{"ReplicationGroup", groupView(*stored)}};
}

Result<Json> ElastiCacheApi::changeReplicaCount(const RequestContext& c, const Json& in, bool increase) {
  auto group = findClusterModeGroup(c, in);
  if (!group) return group.error();
  Resource& record = *group;
  if (in.contains("NewReplicaCount") == in.contains("ReplicaConfiguration") && !in.contains("ReplicasToRemove")) {
    return combination("Either NewReplicaCount or ReplicaConfiguration must be given.");
  }
  // The count wanted for each node group, and the zones asked for.
  std::map<std::string, int> wanted;
  std::map<std::string, std::vector<std::string>> zonesAsked;
  for (const std::string& id : cache::ClusterModeGroups::nodeGroups(record)) {
    wanted[id] = static_cast<int>(cache::ClusterModeGroups::membersOf(record, id).size()) - 1;
  }
  std::map<std::string, int> before = wanted;
  if (in.contains("NewReplicaCount")) {
    for (auto& [id, count] : wanted) count = in["NewReplicaCount"];
  }
  for (const auto& shard : in.value("ReplicaConfiguration", Json::array())) {
    std::string id = shard.value("NodeGroupId", "");
    if (!wanted.contains(id)) return ApiError::sender("NodeGroupNotFoundFault", "Node group " + id + " not found.", 404);
    wanted[id] = shard.value("NewReplicaCount", wanted[id]);
    zonesAsked[id] = shard.value("PreferredAvailabilityZones", std::vector<std::string>());
  }
  std::vector<std::string> toRemove = in.value("ReplicasToRemove", std::vector<std::string>());
  if (!increase && !toRemove.empty()) {
    if (in.contains("NewReplicaCount") || in.contains("ReplicaConfiguration")) {
      return combination("ReplicasToRemove cannot be given with NewReplicaCount or ReplicaConfiguration.");
    }
    for (const std::string& member : toRemove) {
      if (!record.state["Members"].contains(member)) {
        return ApiError::sender("CacheClusterNotFound", "CacheCluster not found: " + member, 404);
      }
      std::string id = record.state["Members"][member].value("NodeGroup", "");
      if (cache::ClusterModeGroups::primaryOf(record, id) == member) {
        return invalid("Cache cluster " + member + " is the primary of node group " + id + " and cannot be removed.");
      }
      wanted[id] -= 1;
    }
  }
  bool changed = false;
  for (const auto& [id, count] : wanted) {
    if (count < 0 || count > kMaxReplicas) return replicasOutOfRange();
    if (increase && count < before[id]) {
      return invalid("NewReplicaCount " + std::to_string(count) + " is less than node group " + id + "'s " +
                     std::to_string(before[id]) + " replicas: use DecreaseReplicaCount.");
    }
    if (!increase && count > before[id]) {
      return invalid("NewReplicaCount " + std::to_string(count) + " is more than node group " + id + "'s " +
                     std::to_string(before[id]) + " replicas: use IncreaseReplicaCount.");
    }
    changed = changed || count != before[id];
  }
  if (increase) {
    int nodes = 0;
    for (const auto& [id, count] : wanted) nodes += count + 1;
    if (nodes > kMaxNodes) return tooManyNodes(nodes);
  }
  if (!changed) {
    return ApiError::sender("NoOperationFault", "The replica count is already what was asked for; nothing to do.");
  }
  std::vector<std::string> pool = zonePool(record.spec);
  for (const auto& [id, count] : wanted) {
    if (increase) {
      int index = lastIndex(record, id);
      for (int k = before[id]; k < count; ++k) {
        std::string member = memberName(record.name, id, ++index);
        std::vector<std::string> asked = zonesAsked[id];
        size_t slot = static_cast<size_t>(k - before[id]);
        std::string zone = slot < asked.size() ? asked[slot] : (pool.empty() ? "" : pool[static_cast<size_t>(index) % pool.size()]);
        Json node = {{"AvailabilityZone", zone}, {"NodeGroup", id}};
        if (!allocateMember(ports_, record.arn, member, node)) return noCapacity();
        record.state["Members"][member] = node;
      }
    } else if (toRemove.empty()) {
      // The newest replicas go first.
      std::vector<std::string> members = cache::ClusterModeGroups::membersOf(record, id);
      std::string primary = cache::ClusterModeGroups::primaryOf(record, id);
      int surplus = before[id] - count;
      for (auto it = members.rbegin(); it != members.rend() && surplus > 0; ++it) {
        if (*it == primary) continue;
        record.state["Members"][*it]["Leaving"] = true;
        --surplus;
      }
    }
  }
  for (const std::string& member : toRemove) record.state["Members"][member]["Leaving"] = true;
  record.state["ModifyMessage"] = std::string("Replication group ") + record.name + ": replica count " +
                                  (increase ? "increased" : "decreased");
  record.status = kModifying;
  auto stored = catalog_.updateResource(record);
  if (!stored) return stored.error();
  return Json{{"ReplicationGroup", groupView(*stored)}};
}

Result<Json> ElastiCacheApi::testClusterModeFailover(const RequestContext& c, const Json& in, Resource group) {
  (void)c;
  std::string id = in["NodeGroupId"];
  if (!group.state["NodeGroups"].contains(id)) {
    return ApiError::sender("NodeGroupNotFoundFault", "Node group " + id + " not found.", 404);
  }
  if (group.status != kAvailable) {
    return ApiError::sender("InvalidReplicationGroupState",
                            "Replication group " + group.name + " is not in available state (it is " + group.status + ").");
  }
  if (cache::ClusterModeGroups::membersOf(group, id).size() < 2) {
    return invalid("Node group " + id + " has no replica to fail over to.");
  }
  group.state["FailoverNodeGroup"] = id;
  group.status = kModifying;
  auto stored = catalog_.updateResource(group);
  if (!stored) return stored.error();
  reconciler_.wake();
  return Json{{"ReplicationGroup", groupView(*stored)}};
}

}  // namespace kura::elasticache
