#pragma once
// What reads a snapshot while a restore or a copy is under way, so that the
// pruning of automated snapshots (rds_supervisor.cpp) and the expiry of
// retained ones (retained_backup_expiry.cpp) never delete one from under
// it. Called inside the transaction that would mark it deleting; the
// restores and copies check their source inside the transaction that
// records them, so one of the two always sees the other.
#include <string>

#include "catalog/catalog.h"

namespace kura::rds {

// Whether an instance or cluster being restored, or a snapshot being
// copied, reads `arn`: a DB or cluster snapshot (restored from, copied),
// or a DB instance or cluster (restored to a point in time from).
bool beingReadFrom(Catalog& catalog, const std::string& arn);

}  // namespace kura::rds
