#include "cache/cache_paths.h"

#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {

std::filesystem::path CachePaths::clusterDir(const Resource& cluster) const {
  return root / "clusters" / (cluster.name + "-" + std::to_string(cluster.id));
}

std::filesystem::path CachePaths::snapshotDir(const Resource& snapshot) const {
  return root / "snapshots" / (snapshot.name + "-" + std::to_string(snapshot.id));
}

engines::RedisLayout nodeLayout(const Resource& cluster, const CachePaths& paths) {
  engines::RedisLayout layout;
  layout.dir = paths.clusterDir(cluster) / (std::string("node-") + elasticache::kNodeId);
  layout.address = cluster.state.value("Address", "127.0.0.1");
  layout.port = cluster.state.value("Port", 0);
  return layout;
}

}  // namespace kura::cache
