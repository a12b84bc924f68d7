#include <fmt/format.h>

#include "cache/cluster_mode.h"
#include "cache/memcached_nodes.h"
#include "cache/node_type_change.h"
#include "cache/replication_group.h"
#include "common/time_format.h"

#include "services/elasticache/cache_network.h"
#include "services/elasticache/cache_parameter_groups.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/elasticache/memcached_zones.h"

namespace kura::elasticache {

Result<size_t> pageSize(const Json& in, size_t max) {
  if (!in.contains("MaxRecords")) return max;
  int64_t requested = in["MaxRecords"];
  if (requested < 20 || requested > static_cast<int64_t>(max)) {
    return ApiError::sender("InvalidParameterValue", fmt::format("MaxRecords must be between 20 and {}.", max));
  }
  return static_cast<size_t>(requested);
}

namespace {

Json pendingModifiedValues(const Resource& cluster) {
  Json pending = cluster.state.value("PendingMaintenance", Json::object());
  // A type asked for the window since is the newer wish.
  std::string smaller = cache::heldScaleDown(cluster);
  if (!smaller.empty() && !pending.contains("CacheNodeType")) pending["CacheNodeType"] = smaller;
  return pending;
}

}  // namespace

Json clusterView(const Resource& cluster, bool showNodes) {
  const Json& spec = cluster.spec;
  std::string engineVersion = spec.value("EngineVersion", "");
  Json view = {{"CacheClusterId", cluster.name},
               {"ARN", cluster.arn},
               {"ClientDownloadLandingPage", "https://console.aws.amazon.com/elasticache/home#client-download:"},
               {"CacheNodeType", spec.value("CacheNodeType", "")},
               {"Engine", spec.value("Engine", "redis")},
               {"EngineVersion", engineVersion},
               {"CacheClusterStatus", cluster.status},
               {"NumCacheNodes", 1},
               {"PreferredAvailabilityZone", spec.value("PreferredAvailabilityZone", "")},
               {"CacheClusterCreateTime", toEpochSeconds(cluster.createdAt)},
               {"PreferredMaintenanceWindow", spec.value("PreferredMaintenanceWindow", "")},
               // What waits for the maintenance window (CacheNodeType), or
               // for the check that the data fits a smaller node type.
               {"PendingModifiedValues", pendingModifiedValues(cluster)},
               {"CacheSecurityGroups", Json::array()},
               {"CacheParameterGroup", cacheParameterGroupStatus(cluster)},
               {"CacheSubnetGroupName", spec.value("CacheSubnetGroupName", "default")},
               {"SecurityGroups", cacheSecurityGroupMemberships(spec)},
               {"AutoMinorVersionUpgrade", spec.value("AutoMinorVersionUpgrade", true)},
               {"SnapshotRetentionLimit", spec.value("SnapshotRetentionLimit", 0)},
               {"SnapshotWindow", spec.value("SnapshotWindow", "")},
               {"AuthTokenEnabled", spec.contains("AuthTokenHashesSealed")},
               {"TransitEncryptionEnabled", spec.value("TransitEncryptionEnabled", false)},
               {"AtRestEncryptionEnabled", false},
               {"ReplicationGroupLogDeliveryEnabled", false},
               {"LogDeliveryConfigurations", Json::array()},
               {"NetworkType", "ipv4"},
               {"IpDiscovery", "ipv4"}};
  if (spec.contains("AuthTokenLastModifiedDate")) view["AuthTokenLastModifiedDate"] = spec["AuthTokenLastModifiedDate"];
  if (cache::isMemcached(cluster)) {
    // Every node on a port of its own; the configuration endpoint is the
    // first node. Nodes in several zones: "Multiple".
    view["PreferredAvailabilityZone"] = memcachedClusterZone(cluster);
    std::vector<std::string> nodes = cache::memcachedNodeIds(cluster);
    view["NumCacheNodes"] = nodes.size();
    std::string address = cluster.state.value("Address", "127.0.0.1");
    if (!nodes.empty()) {
      view["ConfigurationEndpoint"] = {{"Address", address}, {"Port", cluster.state["Nodes"][nodes[0]].value("Port", 0)}};
    }
    if (showNodes) {
      view["CacheNodes"] = Json::array();
      for (const std::string& node : nodes) {
        view["CacheNodes"].push_back({{"CacheNodeId", node},
                                      {"CacheNodeStatus", cluster.status == kAvailable ? "available" : cluster.status},
                                      {"CacheNodeCreateTime", toEpochSeconds(cluster.createdAt)},
                                      {"ParameterGroupStatus", cacheNodeParameterStatus(cluster, node)},
                                      {"CustomerAvailabilityZone", memcachedNodeZone(cluster, node)},
                                      {"Endpoint", {{"Address", address}, {"Port", cluster.state["Nodes"][node].value("Port", 0)}}}});
      }
    }
    view.erase("SnapshotRetentionLimit");
    view.erase("SnapshotWindow");
    return view;
  }
  if (showNodes) {
    Json node = {{"CacheNodeId", kNodeId},
                 {"CacheNodeStatus", cluster.status == kAvailable ? "available" : cluster.status},
                 {"CacheNodeCreateTime", toEpochSeconds(cluster.createdAt)},
                 {"ParameterGroupStatus", cacheNodeParameterStatus(cluster, kNodeId)},
                 {"CustomerAvailabilityZone", spec.value("PreferredAvailabilityZone", "")}};
    if (cluster.state.contains("Port")) {
      node["Endpoint"] = {{"Address", cluster.state.value("Address", "127.0.0.1")}, {"Port", cluster.state["Port"]}};
    }
    view["CacheNodes"] = Json::array({node});
  }
  return view;
}

Json snapshotView(const Resource& snapshot) {
  const Json& spec = snapshot.spec;
  Json view = {{"SnapshotName", snapshot.name},
               {"ARN", snapshot.arn},
               {"CacheClusterId", spec.value("CacheClusterId", "")},
               {"SnapshotStatus", snapshot.status},
               {"SnapshotSource", spec.value("SnapshotSource", "manual")},
               {"CacheNodeType", spec.value("CacheNodeType", "")},
               {"Engine", spec.value("Engine", "redis")},
               {"EngineVersion", spec.value("EngineVersion", "")},
               {"NumCacheNodes", 1},
               {"PreferredAvailabilityZone", spec.value("PreferredAvailabilityZone", "")},
               {"CacheClusterCreateTime", spec.value("CacheClusterCreateTime", 0.0)},
               {"PreferredMaintenanceWindow", spec.value("PreferredMaintenanceWindow", "")},
               {"Port", spec.value("Port", 0)},
               {"CacheParameterGroupName", spec.value("CacheParameterGroupName", "")},
               {"CacheSubnetGroupName", spec.value("CacheSubnetGroupName", "default")},
               {"AutoMinorVersionUpgrade", spec.value("AutoMinorVersionUpgrade", true)},
               {"SnapshotRetentionLimit", spec.value("SnapshotRetentionLimit", 0)},
               {"SnapshotWindow", spec.value("SnapshotWindow", "")},
               {"DataTiering", "disabled"}};
  if (spec.contains("KmsKeyId")) view["KmsKeyId"] = spec["KmsKeyId"];
  if (spec.contains("ReplicationGroupId")) {
    view["ReplicationGroupId"] = spec["ReplicationGroupId"];
    view["ReplicationGroupDescription"] = spec.value("ReplicationGroupDescription", "");
    view["AutomaticFailover"] = spec.value("AutomaticFailover", "disabled");
    view["NumNodeGroups"] = 1;
  }
  Json node = {{"CacheNodeId", kNodeId}, {"CacheNodeCreateTime", spec.value("CacheClusterCreateTime", 0.0)}};
  if (snapshot.state.contains("SnapshotCreateTime")) {
    node["SnapshotCreateTime"] = snapshot.state["SnapshotCreateTime"];
    double megabytes = snapshot.state.value("Bytes", 0.0) / (1024.0 * 1024.0);
    node["CacheSize"] = fmt::format("{:.1f} MB", megabytes);
  }
  view["NodeSnapshots"] = Json::array({node});
  if (spec.contains("NodeGroups")) return clusterModeSnapshotView(snapshot, std::move(view), node);
  return view;
}

}  // namespace kura::elasticache

namespace kura::elasticache {
namespace {

std::vector<std::string> memberNames(const Resource& group) { return cache::ReplicationGroups::members(group); }

Json endpointOf(const Resource& group, int port) {
  return {{"Address", group.state.value("Address", "127.0.0.1")}, {"Port", port}};
}

}  // namespace

Json groupView(const Resource& group) {
  const Json& spec = group.spec;
  std::string primary = group.state.value("Primary", "");
  Json members = Json::array();
  for (const std::string& name : memberNames(group)) {
    const Json& member = group.state["Members"][name];
    members.push_back({{"CacheClusterId", name},
                       {"CacheNodeId", kNodeId},
                       {"ReadEndpoint", endpointOf(group, member.value("Port", 0))},
                       {"PreferredAvailabilityZone", member.value("AvailabilityZone", "")},
                       {"CurrentRole", name == primary ? "primary" : "replica"}});
  }
  Json nodeGroup = {{"NodeGroupId", kNodeId},
                    {"Status", group.status},
                    {"PrimaryEndpoint", endpointOf(group, group.state.value("EndpointPort", 0))},
                    {"ReaderEndpoint", endpointOf(group, group.state.value("ReaderPort", 0))},
                    {"NodeGroupMembers", members}};
  Json view = {{"ReplicationGroupId", group.name},
               {"ARN", group.arn},
               {"Description", spec.value("ReplicationGroupDescription", "")},
               {"Status", group.status},
               {"PendingModifiedValues", Json::object()},
               {"MemberClusters", memberNames(group)},
               {"NodeGroups", Json::array({nodeGroup})},
               {"SnapshottingClusterId", primary},
               {"AutomaticFailover", spec.value("AutomaticFailoverEnabled", false) ? "enabled" : "disabled"},
               {"MultiAZ", spec.value("MultiAZEnabled", false) ? "enabled" : "disabled"},
               {"SnapshotRetentionLimit", spec.value("SnapshotRetentionLimit", 0)},
               {"SnapshotWindow", spec.value("SnapshotWindow", "")},
               {"ClusterEnabled", false},
               {"ClusterMode", "disabled"},
               {"CacheNodeType", spec.value("CacheNodeType", "")},
               {"AuthTokenEnabled", spec.contains("AuthTokenHashesSealed")},
               {"TransitEncryptionEnabled", spec.value("TransitEncryptionEnabled", false)},
               {"AtRestEncryptionEnabled", spec.value("AtRestEncryptionEnabled", false)},
               {"ReplicationGroupCreateTime", toEpochSeconds(group.createdAt)},
               {"DataTiering", "disabled"},
               {"AutoMinorVersionUpgrade", spec.value("AutoMinorVersionUpgrade", true)},
               {"NetworkType", "ipv4"},
               {"IpDiscovery", "ipv4"},
               {"LogDeliveryConfigurations", Json::array()}};
  if (spec.contains("KmsKeyId")) view["KmsKeyId"] = spec["KmsKeyId"];
  if (spec.contains("AuthTokenLastModifiedDate")) view["AuthTokenLastModifiedDate"] = spec["AuthTokenLastModifiedDate"];
  if (spec.contains("UserGroupIds")) view["UserGroupIds"] = spec["UserGroupIds"];
  if (cache::ClusterModeGroups::enabled(group)) return clusterModeGroupView(group, std::move(view));
  return view;
}

std::vector<Json> memberClusterViews(const Resource& group, bool showNodes) {
  std::vector<Json> views;
  for (const std::string& name : memberNames(group)) {
    const Json& member = group.state["Members"][name];
    // A member looks like a cache cluster of its own, in its group.
    Resource cluster = group;
    cluster.name = name;
    cluster.arn = "arn:aws:elasticache:" + group.region + ":" + group.accountId + ":cluster:" + name;
    cluster.spec["PreferredAvailabilityZone"] = member.value("AvailabilityZone", "");
    cluster.state["Port"] = member.value("Port", 0);
    Json view = clusterView(cluster, showNodes);
    view["ReplicationGroupId"] = group.name;
    view["AtRestEncryptionEnabled"] = group.spec.value("AtRestEncryptionEnabled", false);
    views.push_back(std::move(view));
  }
  return views;
}

}  // namespace kura::elasticache
