#include "cache/memcached_nodes.h"

#include <fmt/format.h>

#include "cache/cache_parameters.h"
#include "cache/node_endpoints.h"
#include "cache/node_type_memory.h"

namespace kura::cache {

bool isMemcached(const Resource& cluster) { return cluster.spec.value("Engine", "redis") == "memcached"; }

std::vector<std::string> memcachedNodeIds(const Resource& cluster) {
  std::vector<std::string> ids;
  if (!cluster.state.contains("Nodes")) return ids;
  const nlohmann::json& nodes = cluster.state["Nodes"];
  for (auto it = nodes.begin(); it != nodes.end(); ++it) ids.push_back(it.key());
  return ids;
}

engines::MemcachedLayout memcachedLayout(const Resource& cluster, const std::string& node, const CachePaths& paths) {
  engines::MemcachedLayout layout;
  layout.dir = paths.clusterDir(cluster) / ("node-" + node);
  layout.address = cluster.state.value("Address", "127.0.0.1");
  layout.port = enginePortOf(cluster.state["Nodes"][node]);
  layout.exposed = !cluster.state["Nodes"][node].contains("EnginePort");
  if (cluster.spec.value("TransitEncryptionEnabled", false)) layout.tls = paths.certificateAuthority;
  layout.options = memcachedOptionsOf(cluster);
  // Every memcached node keeps memoryMegabytes of items, whatever its type.
  layout.memoryBound = (static_cast<uint64_t>(layout.memoryMegabytes) << 20) + kNodeProcessOverhead;
  return layout;
}

}  // namespace kura::cache
