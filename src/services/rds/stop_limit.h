#pragma once
// Stopping and starting Aurora clusters, and how long anything stays
// stopped. RDS starts an instance, and Aurora a cluster, that has been
// stopped for seven days (its AutomaticRestartTime); Kura does the same
// after `--rds-stop-limit-seconds` (0: never). StopDBCluster and
// StartDBCluster move the cluster and all its instances in one transaction;
// the instance controller stops or starts each server, and the cluster
// controller settles the cluster once all of them have.
#include <chrono>
#include <optional>

#include "catalog/catalog.h"
#include "common/clock.h"

namespace kura::rds {

inline constexpr std::chrono::seconds kDefaultStopLimit{7 * 24 * 3600};

// When a stopped instance or cluster starts by itself: its state.StoppedAt
// (else its record's last change) plus the limit. None when it is not
// stopped, or the limit is 0.
std::optional<SystemTime> automaticRestartTime(const Resource& resource, std::chrono::seconds limit);

// The cluster and every instance of it recorded stopping (starting), in one
// transaction; an error if a record changed meanwhile, or an instance is
// not available (stopped) or failed.
Result<Resource> recordClusterStopping(Catalog& catalog, Resource cluster);
Result<Resource> recordClusterStarting(Catalog& catalog, Resource cluster);

}  // namespace kura::rds
