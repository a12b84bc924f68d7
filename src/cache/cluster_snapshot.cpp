#include "cache/cluster_snapshot.h"

#include "cache/cluster_mode.h"
#include "cache/cluster_node.h"

namespace kura::cache {
namespace fs = std::filesystem;

Result<engines::RedisBackup> backupClusterShards(engines::RedisEngine& engine, const CachePaths& paths,
                                                 const Resource& group, const fs::path& target) {
  std::error_code ec;
  fs::remove_all(target, ec);
  fs::create_directories(target, ec);
  if (ec) return ApiError::internal("cannot create " + target.string() + ": " + ec.message());
  engines::RedisBackup total;
  bool first = true;
  for (const std::string& nodeGroup : ClusterModeGroups::nodeGroups(group)) {
    std::string primary = ClusterModeGroups::primaryOf(group, nodeGroup);
    engines::RedisLayout layout = clusterMemberLayout(group, primary, paths);
    if (!engine.running(layout)) {
      return ApiError::internal("the primary of node group " + nodeGroup + " (" + primary + ") is not running");
    }
    auto image = engine.backup(layout, target / nodeGroup);
    if (!image) return image.error();
    if (first || image->time < total.time) total.time = image->time;
    total.bytes += image->bytes;
    first = false;
  }
  return total;
}

nlohmann::json snapshotNodeGroups(const Resource& group) {
  nlohmann::json nodeGroups = nlohmann::json::array();
  for (const std::string& nodeGroup : ClusterModeGroups::nodeGroups(group)) {
    std::string primary = ClusterModeGroups::primaryOf(group, nodeGroup);
    nodeGroups.push_back(
        {{"NodeGroupId", nodeGroup},
         {"Slots", group.state["NodeGroups"][nodeGroup].value("Slots", "")},
         {"ReplicaCount", ClusterModeGroups::membersOf(group, nodeGroup).size() - 1},
         {"PrimaryAvailabilityZone", group.state["Members"][primary].value("AvailabilityZone", "")},
         {"CacheClusterId", primary}});
  }
  return nodeGroups;
}

}  // namespace kura::cache
