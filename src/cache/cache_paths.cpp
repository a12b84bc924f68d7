#include "cache/cache_paths.h"

#include <sstream>

#include "cache/cache_parameters.h"
#include "cache/client_users.h"
#include "cache/node_type_memory.h"
#include "cache/node_endpoints.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

// TLS, the cache parameters and the clients' users, as the owner's record
// says.
void addAccess(const Resource& owner, const CachePaths& paths, engines::RedisLayout& layout) {
  if (owner.spec.value("TransitEncryptionEnabled", false)) layout.tls = paths.certificateAuthority;
  layout.settings = redisSettingsOf(owner);
  layout.memoryBound = nodeTypeMemoryBound(owner.spec.value("CacheNodeType", "")).value_or(0);
  std::string sealed = owner.spec.value(kClientAclSealed, "");
  if (sealed.empty()) return;
  std::optional<std::string> opened;
  if (paths.secrets != nullptr) opened = paths.secrets->open(sealed);
  if (!opened) {
    // Unreadable (another data directory's key): no client gets in, rather
    // than every client without a password.
    layout.clientUsers = {"default reset off"};
    return;
  }
  std::istringstream lines(*opened);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) layout.clientUsers.push_back(line);
  }
}

}  // namespace

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
  layout.port = enginePortOf(members[member]);
  layout.exposed = !members[member].contains("EnginePort");
  std::string primary = group.state.value("Primary", "");
  if (member != primary && members.contains(primary)) layout.replicaOf = enginePortOf(members[primary]);
  addAccess(group, paths, layout);
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
  layout.port = enginePortOf(cluster.state);
  layout.exposed = !cluster.state.contains("EnginePort");
  addAccess(cluster, paths, layout);
  return layout;
}

}  // namespace kura::cache
