#pragma once
// A node of a replication group with cluster mode enabled: its redis.conf
// directives and how the other nodes reach it.
//
// Clients reach a node only through Kura's proxy port (its member's Port,
// where the group's security groups are enforced), so every node announces
// that port: MOVED/ASK redirects, CLUSTER SLOTS/SHARDS/NODES name the
// group's endpoint address (as the announced hostname, the preferred
// endpoint) and the member's proxy port. Redis itself (the bus, a replica
// following its primary, MIGRATE between nodes) uses the announced IP,
// 127.0.0.2: there Kura's internal links (ClusterLinks) forward the same
// ports to the engines without a guard, so that a tenant's security groups
// can never cut a shard's replication, and the bus port is the engine's own
// (plaintext, on loopback only, with in-transit encryption too).
#include <string>

#include "cache/cache_paths.h"
#include "proxy/endpoint_proxy.h"

namespace kura::cache {

// The address the nodes announce to each other.
inline constexpr const char* kClusterInternalAddress = "127.0.0.2";
// How long a node may not answer before the cluster fails it over.
inline constexpr int kClusterNodeTimeoutMs = 1000;

// The cluster directives of a member of a cluster-mode group.
std::string clusterNodeSettings(const Resource& group, const std::string& member);
// memberLayout with them.
engines::RedisLayout clusterMemberLayout(const Resource& group, const std::string& member, const CachePaths& paths);

// The unguarded proxy on kClusterInternalAddress (one for all groups).
EndpointProxies& clusterLinks();

}  // namespace kura::cache
