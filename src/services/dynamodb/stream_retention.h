#pragma once
// DynamoDB Streams' 24 hours: records older are trimmed (TRIM_HORIZON then
// starts at the oldest kept), and a stream disabled (or whose table was
// deleted) more than 24 hours ago goes, description and records.
#include <chrono>

#include "common/clock.h"
#include "ddb/table_store.h"

namespace kura::ddb {

inline constexpr std::chrono::hours kStreamRetention{24};

// One pass over every stream of the store; returns how many streams went.
size_t trimStreams(TableStore& store, SystemTime now);

}  // namespace kura::ddb
