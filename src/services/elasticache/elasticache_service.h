#pragma once
#include "catalog/catalog.h"
#include "services/core/service_module.h"

namespace kura {

// Amazon ElastiCache: what Kura runs so far is read from the catalog
// (clusters, replication groups, snapshots, events). Creating them is not
// implemented yet and answers InvalidAction, never a fake success.
ServiceModulePtr makeElastiCacheService(Catalog& catalog);

}  // namespace kura
