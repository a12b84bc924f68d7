#pragma once
// Restores a snapshot into a cluster-mode group that is already formed,
// whatever its shard count: each shard image of the snapshot (one RDB per
// node group; a cluster-mode-disabled snapshot has one) is loaded by a
// node of its own, outside the cluster, on a port of its own, and every key
// is copied from there into the node that holds its slot (redis-cli
// --cluster import, MIGRATE ... COPY REPLACE as Kura's own user). The
// loading node and an opened copy of a sealed snapshot are removed before
// this returns. Repeatable: a copy interrupted by a crash is done again
// (REPLACE).
#include "cache/cache_paths.h"
#include "cache/cluster_mode.h"
#include "engines/redis_engine.h"
#include "kms/key_manager.h"
#include "services/rds/port_allocator.h"

namespace kura::cache {

Result<bool> loadSnapshotIntoCluster(engines::RedisEngine& engine, kms::KeyManager& keys, const CachePaths& paths,
                                     PortAllocator& ports, const Resource& snapshot, const Resource& group,
                                     const ClusterModeGroups& groups);

// Kills the loading nodes a restore into the group (below `groupDir`)
// left running when a crash or a failed try cut it short; false if one
// would not die (its folder and its port must then stay).
bool stopSnapshotLoaders(engines::RedisEngine& engine, const std::filesystem::path& groupDir);

// The shard images in a snapshot's (opened) files: its node groups'
// folders in order, or the folder itself when it holds one image.
std::vector<std::filesystem::path> shardImages(const std::filesystem::path& files);

}  // namespace kura::cache
