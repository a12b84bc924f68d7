#pragma once
#include "catalog/catalog.h"
#include "reconcile/reconciler.h"
#include "services/core/service_module.h"
#include "services/elasticache/elasticache_api.h"

namespace kura {

// Amazon ElastiCache (query protocol): Redis cache clusters and replication
// groups on real Redis servers, Memcached clusters on real memcached, their
// snapshots and restores, cache subnet and parameter groups, users, events
// and tags.
ServiceModulePtr makeElastiCacheService(Catalog& catalog, Reconciler& reconciler, PortAllocator& ports,
                                        elasticache::ElastiCacheConfig config);

}  // namespace kura
