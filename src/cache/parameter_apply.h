#pragma once
// Puts a cluster's or replication group's cache parameters into effect on
// its nodes (cache_parameters.h): the immediate ones on the running servers
// at once, as Kura's own user (clients may not run CONFIG); the others at a
// node's restart, which writes them into its settings.
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "engines/redis_engine.h"

namespace kura::cache {

// When ParametersToApply: sets the owner's immediate values on each of its
// running Redis nodes (one that is down gets them at its start), clears the
// mark and stores the owner. False when they could not be set yet (the
// next pass tries again).
bool applyPendingParameters(Catalog& catalog, engines::RedisEngine& engine, Resource& owner,
                            const std::vector<engines::RedisLayout>& nodes);
// The nodes (node ids, or a replication group's members) were restarted
// with the owner's current values: no reboot is pending for them any more.
void markParametersRebooted(Resource& owner, const std::vector<std::string>& nodes);
// A node the supervisor started again after a failure runs the owner's
// current values: no reboot is pending for it. Stores the owner (and
// updates the caller's copy) when that changes its record.
void noteNodeStartedAgain(Catalog& catalog, Resource& owner, const std::string& node);
// Every node (re)started with the owner's current values (at its
// creation): nothing is left to apply.
void markParametersStarted(Resource& owner);

}  // namespace kura::cache
