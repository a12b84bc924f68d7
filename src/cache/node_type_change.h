#pragma once
// A Redis cluster's or replication group's new node type, put into effect
// only where its nodes' data fits, as ElastiCache refuses a scale-down the
// data does not fit ("the node has insufficient memory"). Lowering
// maxmemory under the data would have Redis evict the keys that have a
// time to live (volatile-lru, the default policy) and refuse writes, and a
// node started again under the smaller address-space bound could not load
// what it holds.
//
// A change to a type that leaves less maxmemory is therefore held (state
// ScaleDownTo, shown in PendingModifiedValues) until the supervisor has
// read every node's used_memory: put into effect when the data fits,
// dropped with an event when it does not. A type that leaves as much or
// more is put into effect at once.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "engines/redis_engine.h"

namespace kura::cache {

// Whether `nodeType` leaves a Redis node of `owner` less maxmemory than
// its current type.
bool scalesDown(const Resource& owner, std::string_view nodeType);

// Records `nodeType` as the owner's (a Redis cluster or group): at once
// when it does not scale down (its nodes' maxmemory follows), held for the
// supervisor's check otherwise (from `now`). The current type drops a held
// scale-down.
void changeNodeType(Resource& owner, const std::string& nodeType, SystemTime now);

// The type a held scale-down goes to, or empty.
std::string heldScaleDown(const Resource& owner);

// When a scale-down is held: reads used_memory of every node (`nodes`, the
// owner's) and puts the type into effect when each fits the maxmemory it
// leaves, or drops it with an event saying how much the fullest holds;
// stores the owner (and updates the caller's copy). Leaves it held while a
// node is down or does not answer (the next pass asks again), for ten
// minutes at most (then dropped with an event). True when the type
// changed: the caller's node layouts (their memory bound) are stale.
bool settleScaleDown(Catalog& catalog, engines::RedisEngine& engine, Resource& owner,
                     const std::vector<engines::RedisLayout>& nodes, SystemTime now);

// used_memory in INFO's text, or none.
std::optional<uint64_t> usedMemoryIn(std::string_view info);

}  // namespace kura::cache
