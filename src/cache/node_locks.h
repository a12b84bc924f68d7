#pragma once
// One lock per cache cluster or replication group, taken by whoever acts on
// its Redis nodes (a controller step, a supervisor pass), so that a node the
// supervisor restarts is never one a deletion is stopping.
#include "common/resource_locks.h"

namespace kura::cache {

using NodeLocks = ResourceLocks;

}  // namespace kura::cache
