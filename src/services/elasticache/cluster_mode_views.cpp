#include "cache/cluster_mode.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::elasticache {

Json clusterModeGroupView(const Resource& group, Json view) {
  std::string address = group.state.value("Address", "127.0.0.1");
  Json nodeGroups = Json::array();
  Json memberClusters = Json::array();
  for (const std::string& id : cache::ClusterModeGroups::nodeGroups(group)) {
    std::string primary = cache::ClusterModeGroups::primaryOf(group, id);
    Json members = Json::array();
    for (const std::string& name : cache::ClusterModeGroups::membersOf(group, id)) {
      const Json& member = group.state["Members"][name];
      memberClusters.push_back(name);
      members.push_back({{"CacheClusterId", name},
                         {"CacheNodeId", kNodeId},
                         {"ReadEndpoint", {{"Address", address}, {"Port", member.value("Port", 0)}}},
                         {"PreferredAvailabilityZone", member.value("AvailabilityZone", "")},
                         {"CurrentRole", name == primary ? "primary" : "replica"}});
    }
    const Json& record = group.state["NodeGroups"][id];
    nodeGroups.push_back({{"NodeGroupId", id},
                          {"Status", group.status},
                          {"Slots", record.value("Slots", "")},
                          {"NodeGroupMembers", members}});
  }
  view["NodeGroups"] = nodeGroups;
  view["MemberClusters"] = memberClusters;
  view["ConfigurationEndpoint"] = {{"Address", address}, {"Port", group.state.value("EndpointPort", 0)}};
  view["ClusterEnabled"] = true;
  view["ClusterMode"] = "enabled";
  view.erase("SnapshottingClusterId");
  return view;
}

Json clusterModeSnapshotView(const Resource& snapshot, Json view, const Json& node) {
  Json nodeSnapshots = Json::array();
  for (const Json& nodeGroup : snapshot.spec["NodeGroups"]) {
    Json one = node;
    one["CacheClusterId"] = nodeGroup.value("CacheClusterId", "");
    one["NodeGroupId"] = nodeGroup.value("NodeGroupId", "");
    one["NodeGroupConfiguration"] = {{"NodeGroupId", nodeGroup.value("NodeGroupId", "")},
                                     {"Slots", nodeGroup.value("Slots", "")},
                                     {"ReplicaCount", nodeGroup.value("ReplicaCount", 0)},
                                     {"PrimaryAvailabilityZone", nodeGroup.value("PrimaryAvailabilityZone", "")}};
    nodeSnapshots.push_back(std::move(one));
  }
  view["NodeSnapshots"] = nodeSnapshots;
  view["NumNodeGroups"] = snapshot.spec["NodeGroups"].size();
  view.erase("CacheClusterId");
  return view;
}

}  // namespace kura::elasticache
