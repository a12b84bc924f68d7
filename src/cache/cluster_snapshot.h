#pragma once
// Snapshots of a replication group with cluster mode enabled, as
// ElastiCache takes them: one RDB per node group, from its primary, each in
// the snapshot's folder under the node group's id (0001/dump.rdb with its
// manifest), and the node groups as they were (id, slots, replica count,
// primary's zone) in the snapshot's record for NodeSnapshots.
#include <filesystem>

#include "cache/cache_paths.h"
#include "engines/redis_engine.h"

namespace kura::cache {

// The images of every node group's primary; the time of the earliest.
Result<engines::RedisBackup> backupClusterShards(engines::RedisEngine& engine, const CachePaths& paths,
                                                 const Resource& group, const std::filesystem::path& target);
// The node groups as NodeSnapshots shows them ([{NodeGroupId, Slots,
// ReplicaCount, PrimaryAvailabilityZone, CacheClusterId}]).
nlohmann::json snapshotNodeGroups(const Resource& group);

}  // namespace kura::cache
