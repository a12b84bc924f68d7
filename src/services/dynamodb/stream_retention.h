#pragma once
// DynamoDB Streams' 24 hours: records older are trimmed (TRIM_HORIZON then
// starts at the oldest kept), and a stream disabled (or whose table was
// deleted) more than 24 hours ago goes, description and records.
//
// Shards roll over as DynamoDB's do, every four hours: the open shard of
// an enabled stream is closed at its last record and a new one opens after
// it, its ParentShardId the closed one (a shard that got no record yet is
// left open). A closed shard whose records are all trimmed leaves the
// stream's description. `kura serve --stream-shard-lifetime` and
// `--stream-shard-records` make shards roll sooner (tests, and consumers
// that want to see their KCL follow a split).
#include <chrono>

#include "common/clock.h"
#include "ddb/table_store.h"

namespace kura::ddb {

inline constexpr std::chrono::hours kStreamRetention{24};

inline constexpr std::chrono::hours kShardLifetime{4};

// How a stream's shards roll and how long its status says ENABLING or
// DISABLING after UpdateTable (DynamoDB takes a moment; Kura records from
// the request on, so the status is only what DescribeStream reports).
struct StreamSettings {
  std::chrono::seconds shardLifetime = kShardLifetime;
  uint64_t shardRecords = 0;  // a shard holding this many records rolls (0: no bound)
  std::chrono::milliseconds statusDelay{1000};
  // How often the pass that rolls shards runs: every minute for 4-hour
  // shards, every second when shards are meant to roll sooner.
  std::chrono::milliseconds rollInterval() const {
    if (shardRecords > 0 || shardLifetime < std::chrono::minutes(10)) return std::chrono::seconds(1);
    return std::chrono::minutes(1);
  }
};

// One pass over every stream of the store; returns how many streams went.
size_t trimStreams(TableStore& store, SystemTime now);
// Rolls the shards older than the settings' lifetime, or holding their
// number of records; returns how many rolled.
size_t rollShards(TableStore& store, SystemTime now, const StreamSettings& settings = {});

}  // namespace kura::ddb
