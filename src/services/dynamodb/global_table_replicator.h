#pragma once
// The replication of global tables (global_tables.h): one background
// thread that, every few milliseconds, walks the links (one per ordered
// pair of replicas) and applies to each target the source's own changes
// after the link's cursor, read from the source's stream records (which
// are written in the same atomic batch as the changes: an acknowledged
// write is in the stream, and reaches every replica, even after a SIGKILL).
// Changes that came from another replica are not passed on (every replica
// is linked to every other). A link's cursor is stored after its changes
// are applied; a change applied twice after a crash is dropped the second
// time (its stamp is not later than the item's). A new replica is first
// filled with the source's items (its backfill), then marked ACTIVE.
#include <chrono>

#include "common/periodic_task.h"
#include "services/dynamodb/global_tables.h"

namespace kura::ddb {

class GlobalTableReplicator {
 public:
  explicit GlobalTableReplicator(GlobalTables& tables,
                                 std::chrono::milliseconds interval = std::chrono::milliseconds(10));
  void start() { task_.start(); }
  void stop() { task_.stop(); }
  // One pass over every link; returns how many changes were applied.
  size_t replicateOnce();

 private:
  // Fills a new replica from its source; false if either is gone.
  bool backfill(const Json& link, const Json& source, const Json& target);

  // Once a minute, the stamps of items deleted more than a day ago go.
  void pruneTombstones();

  GlobalTables& tables_;
  std::chrono::steady_clock::time_point lastPrune_{};
  // While no global table exists, a pass comes every 200 ms, not every
  // 10: a pass (and the thread's wake-up) every 10 ms cost half a percent
  // of a core on an idle server. A first table's first change then waits at
  // most 200 ms (the lag goal is under a second). Task thread only.
  size_t linksLastPass_ = 0;
  PeriodicTask task_;
};

}  // namespace kura::ddb
