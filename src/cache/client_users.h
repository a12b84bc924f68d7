#pragma once
// The users a cache cluster's or replication group's clients sign in as:
// the default user with the AUTH token, or a user group's users, as the
// Redis ACL rules (redisClientUserRule lines) of every node.
//
// The API records them in the resource's spec, sealed (kClientAclSealed:
// they hold password hashes), with a version it moves on at each change;
// the node's layout (cache_paths.h) reads them from there, so every start
// of a node writes them into its redis.conf. Running nodes get them from the
// controller (status modifying) or, for a change that arrived while the
// resource was busy, from the supervisor; each records the version it set
// in the state. A change recorded before a crash is set after the restart.
#include "catalog/records.h"

namespace kura::cache {

inline constexpr const char* kClientAclSealed = "ClientAclSealed";
inline constexpr const char* kClientAclVersion = "ClientAclVersion";
inline constexpr const char* kClientAclApplied = "ClientAclApplied";

// Whether the running nodes may lack the latest recorded users.
inline bool clientUsersPending(const Resource& owner) {
  return owner.spec.value(kClientAclVersion, 0) != owner.state.value(kClientAclApplied, 0);
}
// Notes that every running node has the users of `owner`'s spec.
inline void markClientUsersApplied(Resource& owner) {
  owner.state[kClientAclApplied] = owner.spec.value(kClientAclVersion, 0);
}

}  // namespace kura::cache
