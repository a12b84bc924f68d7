#pragma once
// Drives ElastiCache cache clusters: Redis (one node; creating, empty or
// restored from a snapshot) and Memcached (nodes 0001...; added and removed
// by modifying) -> available; rebooting cache cluster nodes; deleting
// (after the final snapshot, if one was asked for) -> deleted.
#include "cache/cache_paths.h"
#include "cache/node_endpoints.h"
#include "cache/node_locks.h"
#include "engines/memcached_engine.h"
#include "engines/redis_engine.h"
#include "kms/key_manager.h"
#include "reconcile/controller.h"
#include "services/rds/port_allocator.h"

namespace kura::cache {

class CacheClusterController final : public Controller {
 public:
  // `memcached`: null when memcached is not installed.
  CacheClusterController(engines::RedisEngine& engine, engines::MemcachedEngine* memcached, CachePaths paths,
                         PortAllocator& ports, kms::KeyManager& keys, NodeLocks& locks, EndpointProxies* proxies)
      : engine_(engine),
        memcached_(memcached),
        paths_(std::move(paths)),
        ports_(ports),
        keys_(keys),
        locks_(locks),
        endpoints_(proxies) {}
  std::string kind() const override;
  StepOutcome step(Resource& cluster, ReconcileContext& ctx) override;

 private:
  StepOutcome create(Resource& cluster, ReconcileContext& ctx);
  StepOutcome remove(Resource& cluster, ReconcileContext& ctx);
  StepOutcome stepMemcached(Resource& cluster, ReconcileContext& ctx);
  StepOutcome fail(Resource& cluster, ReconcileContext& ctx, const ApiError& error, const char* status);

  engines::RedisEngine& engine_;
  engines::MemcachedEngine* memcached_;
  CachePaths paths_;
  PortAllocator& ports_;
  kms::KeyManager& keys_;  // opens sealed snapshots for restores
  NodeLocks& locks_;
  NodeEndpoints endpoints_;  // the nodes' endpoints, where their security groups admit clients
};

}  // namespace kura::cache
