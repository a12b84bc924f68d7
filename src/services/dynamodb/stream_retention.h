#pragma once
// DynamoDB Streams' 24 hours: records older are trimmed (TRIM_HORIZON then
// starts at the oldest kept), and a stream disabled (or whose table was
// deleted) more than 24 hours ago goes, description and records.
//
// Shards roll over as DynamoDB's do, every four hours: the open shard of
// an enabled stream is closed at its last record and a new one opens after
// it, its ParentShardId the closed one (a shard that got no record yet is
// left open). A closed shard whose records are all trimmed leaves the
// stream's description.
#include <chrono>

#include "common/clock.h"
#include "ddb/table_store.h"

namespace kura::ddb {

inline constexpr std::chrono::hours kStreamRetention{24};

inline constexpr std::chrono::hours kShardLifetime{4};

// One pass over every stream of the store; returns how many streams went.
size_t trimStreams(TableStore& store, SystemTime now);
// Rolls the shards older than `lifetime`; returns how many rolled.
size_t rollShards(TableStore& store, SystemTime now, std::chrono::seconds lifetime = kShardLifetime);

}  // namespace kura::ddb
