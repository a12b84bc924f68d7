#pragma once
#include "services/core/service_module.h"
#include "services/rds/rds_api.h"

namespace kura {

// Amazon RDS: PostgreSQL instances, snapshots, restores, events and tags.
ServiceModulePtr makeRdsService(Catalog& catalog, Reconciler& reconciler, SecretBox& secrets, PortAllocator& ports,
                                rds::RdsConfig config);

}  // namespace kura
