#pragma once
#include "catalog/catalog.h"
#include "reconcile/reconciler.h"
#include "services/core/service_module.h"
#include "services/elasticache/elasticache_api.h"

namespace kura {

// Amazon ElastiCache (query protocol): Redis cache clusters on real Redis
// servers, their snapshots and restores, events and tags. Replication
// groups and Memcached are not implemented (their operations answer
// InvalidAction).
ServiceModulePtr makeElastiCacheService(Catalog& catalog, Reconciler& reconciler, PortAllocator& ports,
                                        elasticache::ElastiCacheConfig config);

}  // namespace kura
