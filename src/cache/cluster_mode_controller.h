#pragma once
// The steps of a replication group with cluster mode enabled
// (cluster_mode.h), which ReplicationGroupController hands over:
//  - creating: the nodes start (empty), are formed into one cluster, and
//    a restore loads each shard image of the snapshot into the slots its
//    keys belong to (cluster_restore.h) -> available;
//  - modifying: node groups added or removed with their slots moved
//    (ModifyReplicationGroupShardConfiguration), replicas added or removed
//    (Increase/DecreaseReplicaCount) -> available;
//  - deleting -> deleted.
// Every step can be repeated: a Kura killed in the middle finds the
// cluster as the nodes left it and goes on, or reports the group failed.
#include "cache/cache_paths.h"
#include "cache/cluster_mode.h"
#include "engines/redis_engine.h"
#include "kms/key_manager.h"
#include "reconcile/controller.h"
#include "services/rds/port_allocator.h"

namespace kura::cache {

class ClusterModeController {
 public:
  ClusterModeController(engines::RedisEngine& engine, const CachePaths& paths, PortAllocator& ports,
                        kms::KeyManager& keys, EndpointProxies* proxies)
      : engine_(engine), paths_(paths), ports_(ports), keys_(keys), groups_(engine, paths, proxies) {}
  StepOutcome step(Resource& group, ReconcileContext& ctx);

 private:
  StepOutcome create(Resource& group, ReconcileContext& ctx);
  StepOutcome modify(Resource& group, ReconcileContext& ctx);
  StepOutcome remove(Resource& group, ReconcileContext& ctx);
  StepOutcome fail(Resource& group, ReconcileContext& ctx, const ApiError& error, const char* status);
  // Waits for the cluster to be whole again; false: retry later.
  Result<bool> formed(Resource& group, ReconcileContext& ctx);
  void releasePorts(const Resource& group, const std::string& member);

  engines::RedisEngine& engine_;
  const CachePaths& paths_;
  PortAllocator& ports_;
  kms::KeyManager& keys_;
  ClusterModeGroups groups_;
};

}  // namespace kura::cache
