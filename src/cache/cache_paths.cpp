#include "cache/cache_paths.h"

#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {

std::filesystem::path CachePaths::clusterDir(const Resource& cluster) const {
  return root / "clusters" / (cluster.name + "-" + std::to_string(cluster.id));
}

std::filesystem::path CachePaths::snapshotDir(const Resource& snapshot) const {
  return root / "snapshots" / (snapshot.name + "-" + std::to_string(snapshot.id));
}

std::filesystem::path CachePaths::groupDir(const Resource& group) const {
  return root / "groups" / (group.name + "-" + std::to_string(group.id));
}

engines::RedisLayout memberLayout(const Resource& group, const std::string& member, const CachePaths& paths) {
  engines::RedisLayout layout;
  layout.dir = paths.groupDir(group) / member;
  layout.address = group.state.value("Address", "127.0.0.1");
  const auto& members = group.state["Members"];
  layout.port = members[member].value("Port", 0);
  std::string primary = group.state.value("Primary", "");
  if (member != primary && members.contains(primary)) layout.replicaOf = members[primary].value("Port", 0);
  return layout;
}

engines::RedisLayout sourceLayout(const Resource& source, const CachePaths& paths) {
  if (source.kind == elasticache::kReplicationGroup) {
    return memberLayout(source, source.state.value("Primary", ""), paths);
  }
  return nodeLayout(source, paths);
}

engines::RedisLayout nodeLayout(const Resource& cluster, const CachePaths& paths) {
  engines::RedisLayout layout;
  layout.dir = paths.clusterDir(cluster) / (std::string("node-") + elasticache::kNodeId);
  layout.address = cluster.state.value("Address", "127.0.0.1");
  layout.port = cluster.state.value("Port", 0);
  return layout;
}

}  // namespace kura::cache
