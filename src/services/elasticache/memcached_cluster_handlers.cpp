// Memcached cache clusters: 1 to 20 nodes, each a memcached of its own; no
// snapshots (SnapshotFeatureNotSupportedFault), as in ElastiCache.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "cache/cache_parameters.h"
#include "cache/memcached_nodes.h"
#include "catalog/arn.h"
#include "services/elasticache/cache_parameter_groups.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/engine_versions.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/elasticache/elasticache_validation.h"
#include "services/elasticache/cache_network.h"
#include "services/elasticache/memcached_zones.h"
#include "services/rds/rds_api.h"

namespace kura::elasticache {
namespace {

constexpr int kMaxNodes = 20;

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError combination(std::string message) {
  return ApiError::sender("InvalidParameterCombination", std::move(message));
}
std::string nodeId(int n) { return fmt::format("{:04}", n); }

// The zones of a subnet group by its name, or its error.
Result<std::vector<std::string>> subnetZones(Catalog& catalog, const RequestContext& c, const std::string& groupName) {
  auto group = findCacheSubnetGroup(catalog, c, groupName);
  if (!group) return group.error();
  return zonesOfCacheSubnetGroup(catalog, c, *group);
}

// single-az or cross-az: what `zones` (every node's) make of a cluster.
std::string azModeOf(const std::vector<std::string>& zones) {
  return std::set<std::string>(zones.begin(), zones.end()).size() > 1 ? "cross-az" : "single-az";
}

}  // namespace

Result<Json> ElastiCacheApi::createMemcachedCluster(const RequestContext& c, const Json& in, const std::string& id) {
  if (config_.memcachedVersion.empty()) {
    return ApiError::sender("InsufficientCacheClusterCapacity", "No memcached is installed on this Kura host.");
  }
  if (in.contains("SnapshotName") || in.value("SnapshotRetentionLimit", 0) > 0 || in.contains("SnapshotWindow")) {
    return combination("Snapshots are not supported for Memcached clusters.");
  }
  if (in.contains("AuthToken")) return combination("AuthToken is only supported for the Redis engine.");
  if (auto error = checkNodeType(in)) return *error;
  // In-transit encryption: memcached's own TLS, with a certificate of Kura's CA.
  bool tls = in.value("TransitEncryptionEnabled", false);
  if (tls && config_.certificateAuthority == nullptr) {
    return combination("In-transit encryption is not available on this Kura host (it has no certificate authority).");
  }
  if (in.contains("EngineVersion") && !namesInstalledVersion("memcached", in["EngineVersion"], config_.memcachedVersion)) {
    return invalid("Cannot find version " + in["EngineVersion"].get<std::string>() + " for memcached (this host runs " +
                   config_.memcachedVersion + ").");
  }
  int nodes = in.value("NumCacheNodes", 1);
  if (nodes < 1 || nodes > kMaxNodes) {
    return invalid(fmt::format("NumCacheNodes must be between 1 and {} for Memcached.", kMaxNodes));
  }
  Json spec = {{"CacheClusterId", id},
                {"Engine", "memcached"},
                {"EngineVersion", config_.memcachedVersion},
                {"CacheNodeType", in.value("CacheNodeType", "cache.t3.micro")},
                {"NumCacheNodes", nodes},
                {"PreferredAvailabilityZone", in.value("PreferredAvailabilityZone", c.region + "a")},
                {"AZMode", in.value("AZMode", "single-az")},  // made what the nodes' zones are below
                {"PreferredMaintenanceWindow", in.value("PreferredMaintenanceWindow", "sun:23:00-mon:01:30")},
                {"AutoMinorVersionUpgrade", in.value("AutoMinorVersionUpgrade", true)},
                {"TransitEncryptionEnabled", tls}};
  if (auto error = placeCacheParameterGroup(catalog_, c, in, cache::memcachedFamilyOf(config_.memcachedVersion), spec)) {
    return *error;
  }
  auto created = recordNew(c, kCluster, id, spec, in, [&](Resource& draft) -> std::optional<ApiError> {
    // Each node's zone, in the subnet group placeCacheNetwork settled.
    std::string group = draft.spec.value("CacheSubnetGroupName", kDefaultCacheSubnetGroup);
    auto inGroup = subnetZones(catalog_, c, group);
    if (!inGroup) return inGroup.error();
    auto zones = zonesOfNewNodes({in.value("AZMode", ""), in.value("PreferredAvailabilityZones", std::vector<std::string>()),
                                  nodes},
                                 {}, draft.spec.value("PreferredAvailabilityZone", ""), *inGroup, group);
    if (!zones) return zones.error();
    draft.spec["AZMode"] = azModeOf(*zones);
    if (in.value("AZMode", "") == "cross-az") draft.spec["AZMode"] = "cross-az";
    Json ports = Json::object();
    for (int n = 1; n <= nodes; ++n) {
      std::optional<int> wanted;
      if (n == 1 && in.contains("Port")) wanted = in["Port"].get<int>();
      auto port = ports_.allocate(draft.arn + "#" + nodeId(n), wanted);
      auto enginePort = port ? ports_.allocate(draft.arn + "#" + nodeId(n) + "#engine") : std::nullopt;
      if (!enginePort) {
        return ApiError::sender("InsufficientCacheClusterCapacity", "No free engine port is left in Kura's port range.");
      }
      ports[nodeId(n)] = {{"Port", *port}, {"EnginePort", *enginePort}, {"AvailabilityZone", (*zones)[n - 1]}};
    }
    draft.state = {{"Address", config_.endpointAddress}, {"Nodes", ports}};
    return std::nullopt;
  });
  if (!created) return created.error();
  return Json{{"CacheCluster", clusterView(*created, false)}};
}

Result<Json> ElastiCacheApi::modifyMemcachedCluster(const RequestContext& c, Resource cluster, const Json& in) {
  if (in.contains("EngineVersion")) {
    if (auto error = checkEngineVersionChange("memcached", in["EngineVersion"], config_.memcachedVersion)) {
      return *error;
    }
  }
  if (in.contains("SnapshotRetentionLimit") || in.contains("SnapshotWindow")) {
    return combination("Snapshots are not supported for Memcached clusters.");
  }
  std::vector<std::string> current = cache::memcachedNodeIds(cluster);
  int wanted = in.value("NumCacheNodes", static_cast<int>(current.size()));
  std::vector<std::string> removing = in.value("CacheNodeIdsToRemove", std::vector<std::string>());
  if (wanted < 1 || wanted > kMaxNodes) {
    return invalid(fmt::format("NumCacheNodes must be between 1 and {} for Memcached.", kMaxNodes));
  }
  if (wanted < static_cast<int>(current.size()) &&
      static_cast<int>(removing.size()) != static_cast<int>(current.size()) - wanted) {
    return combination("To remove nodes, CacheNodeIdsToRemove must name as many nodes as NumCacheNodes drops.");
  }
  if (wanted >= static_cast<int>(current.size()) && !removing.empty()) {
    return combination("CacheNodeIdsToRemove needs NumCacheNodes lower than the cluster's.");
  }
  for (const std::string& node : removing) {
    if (!cluster.state["Nodes"].contains(node)) return invalid("Cache node " + node + " is not a node of " + cluster.name + ".");
  }
  // The zones of the nodes added (NewAvailabilityZones, else by AZMode).
  int adding = std::max(0, wanted - static_cast<int>(current.size()));
  std::vector<std::string> named = in.value("NewAvailabilityZones", std::vector<std::string>());
  if (!named.empty() && adding == 0) {
    return combination("NewAvailabilityZones needs NumCacheNodes greater than the cluster's number of nodes.");
  }
  std::vector<std::string> newZones;
  if (adding > 0 || in.contains("AZMode")) {
    std::string group = cluster.spec.value("CacheSubnetGroupName", kDefaultCacheSubnetGroup);
    auto inGroup = subnetZones(catalog_, c, group);
    if (!inGroup) return inGroup.error();
    std::string azMode = in.value("AZMode", cluster.spec.value("AZMode", "single-az"));
    auto zones = zonesOfNewNodes({azMode, named, adding}, memcachedNodeZones(cluster, removing),
                                 cluster.spec.value("PreferredAvailabilityZone", ""), *inGroup, group);
    if (!zones) return zones.error();
    newZones = *zones;
    if (in.contains("AZMode")) cluster.spec["AZMode"] = azMode;
  }
  for (const char* member : {"PreferredMaintenanceWindow", "CacheNodeType", "AutoMinorVersionUpgrade"}) {
    if (in.contains(member)) cluster.spec[member] = in[member];
  }
  bool nodesChange = wanted != static_cast<int>(current.size());
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    if (nodesChange) {
      // New nodes get the next ids; removed ones go when the controller stops them.
      int next = current.empty() ? 1 : std::stoi(current.back()) + 1;
      for (int added = static_cast<int>(current.size()); added < wanted; ++added, ++next) {
        auto port = ports_.allocate(cluster.arn + "#" + nodeId(next));
        auto enginePort = port ? ports_.allocate(cluster.arn + "#" + nodeId(next) + "#engine") : std::nullopt;
        if (!enginePort) {
          return ApiError::sender("InsufficientCacheClusterCapacity", "No free engine port is left in Kura's port range.");
        }
        cluster.state["Nodes"][nodeId(next)] = {{"Port", *port},
                                                {"EnginePort", *enginePort},
                                                {"AvailabilityZone", newZones[static_cast<size_t>(added) - current.size()]}};
      }
      cluster.state["NodesToRemove"] = removing;
      cluster.spec["NumCacheNodes"] = wanted;
      cluster.status = kModifying;
    }
    return catalog_.updateResource(cluster);
  });
  if (!stored) return stored.error();
  reconciler_.wake();
  return Json{{"CacheCluster", clusterView(*stored, false)}};
}

}  // namespace kura::elasticache
