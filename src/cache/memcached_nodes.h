#pragma once
// The nodes of a Memcached cache cluster: state.Nodes maps each node id
// ("0001", ...) to its port; each node is one memcached in
// <cluster>/node-<id>. Memcached keeps no data on disk, so a cluster has no
// snapshots and a node that restarts starts empty, as in ElastiCache.
#include <string>
#include <vector>

#include "cache/cache_paths.h"
#include "catalog/records.h"
#include "engines/memcached_engine.h"

namespace kura::cache {

bool isMemcached(const Resource& cluster);
std::vector<std::string> memcachedNodeIds(const Resource& cluster);
engines::MemcachedLayout memcachedLayout(const Resource& cluster, const std::string& node, const CachePaths& paths);

}  // namespace kura::cache
