#pragma once
// Kura's fault injection API (signing name "kura", IAM actions
// kura:InjectFault and kura:RecordDrillEvent; model in
// tools/models/kura/2026-12-01/service-2.json): what `kura drill` uses to kill or
// hang a resource's primary engine (an RDS instance's or cluster's, or a
// replication group's Redis primary), or to fail a whole zone, at the engine.
// An IAM principal needs an explicit allow of the action; the account root
// may; every call is in the trail, and every fault is an event of the
// resource (DescribeEvents) naming the drill.
#include "rds/rds_layout.h"
#include "services/core/service_module.h"

namespace kura {

// cacheRoot: <data-dir>/elasticache, where replication groups' members work.
ServiceModulePtr makeFaultService(Catalog& catalog, rds::RdsPaths paths, std::filesystem::path cacheRoot,
                                  ClockPtr clock);

}  // namespace kura
