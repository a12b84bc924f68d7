#pragma once
// What reads a snapshot while a restore or a copy is under way, so that the
// pruning of automated snapshots (rds_supervisor.cpp) and the expiry of
// retained ones (retained_backup_expiry.cpp) never delete one from under
// it. Read inside the transaction that would mark them deleting; the
// restores and copies check their source inside the transaction that
// records them, so one of the two always sees the other.
#include <set>
#include <string>

#include "catalog/catalog.h"

namespace kura::rds {

// The ARNs restores and copies under way read: DB and cluster snapshots
// (restored from, copied), DB instances and clusters (restored to a point
// in time from). An instance or a snapshot reads while it is being
// created; a restored Aurora cluster until its first writer has made its
// files from the source (state.RestoreRead). One scan of each kind, only
// the records being created parsed.
std::set<std::string> snapshotReads(Catalog& catalog);

// Marks a restored cluster's source read (its writer made its files).
inline constexpr const char* kRestoreRead = "RestoreRead";

}  // namespace kura::rds
