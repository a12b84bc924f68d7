#pragma once
// The catalog kinds ElastiCache keeps, and the statuses it shows.
#include "catalog/records.h"

namespace kura::elasticache {

inline constexpr const char* kService = "elasticache";
inline constexpr const char* kCluster = "cache-cluster";
inline constexpr const char* kReplicationGroup = "replication-group";
inline constexpr const char* kSnapshot = "cache-snapshot";
inline constexpr const char* kUser = "cache-user";
inline constexpr const char* kUserGroup = "cache-user-group";

// CacheClusterStatus and SnapshotStatus as ElastiCache shows them.
inline constexpr const char* kAvailable = "available";
inline constexpr const char* kCreating = "creating";
inline constexpr const char* kDeleting = "deleting";
inline constexpr const char* kDeleted = "deleted";
inline constexpr const char* kModifying = "modifying";
inline constexpr const char* kRebooting = "rebooting cache cluster nodes";
inline constexpr const char* kRestoreFailed = "restore-failed";
inline constexpr const char* kFailed = "failed";

// Users and user groups: active at once (they change no server by
// themselves; the groups that use them show modifying while their nodes
// take the change).
inline constexpr const char* kActive = "active";
// The user every account and region has, as on ElastiCache.
inline constexpr const char* kDefaultUserId = "default";

// The one node of a Redis cache cluster.
inline constexpr const char* kNodeId = "0001";

}  // namespace kura::elasticache
