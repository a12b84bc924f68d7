#pragma once
// Aurora Serverless v2: a cluster's capacity range (its
// ServerlessV2ScalingConfiguration, in Aurora capacity units of about 2 GiB
// of memory each), and what it bounds: the memory of the cluster's
// db.serverless instances (engines/memory_cgroup.h).
#include <cstdint>

#include <nlohmann/json.hpp>

#include "common/api_error.h"

namespace kura::rds {

inline constexpr const char* kServerlessClass = "db.serverless";
// The member of a cluster's record, and the copy each of its instances carries.
inline constexpr const char* kServerlessScaling = "ServerlessV2ScalingConfiguration";

// The range after a call that gives `given` ({MinCapacity, MaxCapacity},
// either alone when `current` holds a range already), checked as Aurora
// checks it: both at first, steps of 0.5, MinCapacity 0.5 to 256,
// MaxCapacity 1 to 256, the minimum not above the maximum. Otherwise
// InvalidParameterValue with AWS's message where it has one.
Result<nlohmann::json> scalingRangeOf(const nlohmann::json& given, const nlohmann::json* current);

// What RDS answers when a db.serverless instance joins (or an instance of
// a cluster becomes one) while the cluster has no range.
ApiError noScalingRange();

// The memory an instance's server may use, from its record: its class's
// (services/rds/instance_class_memory.h), and for db.serverless its
// cluster's MaxCapacity at 2 GiB an ACU; 0 (no bound) when neither is known.
uint64_t instanceMemoryBytes(const nlohmann::json& spec);

}  // namespace kura::rds
