#pragma once
// Drives ElastiCache replication groups: creating (the primary's node empty
// or restored from a snapshot, then the replicas from it) -> available;
// modifying for a TestFailover (a planned failover that loses no write) or
// for new client users (an AUTH token, a user group's users:
// client_users.h), set on every running node, or for a reboot of members
// (RebootCacheCluster on a member: its node restarts with the group's
// current parameters);
// deleting (after the final snapshot, if one was asked for) -> deleted.
#include "cache/cache_paths.h"
#include "cache/cluster_mode_controller.h"
#include "cache/node_locks.h"
#include "cache/replication_group.h"
#include "engines/redis_engine.h"
#include "kms/key_manager.h"
#include "reconcile/controller.h"
#include "services/rds/port_allocator.h"

namespace kura::cache {

class ReplicationGroupController final : public Controller {
 public:
  ReplicationGroupController(engines::RedisEngine& engine, CachePaths paths, PortAllocator& ports,
                             kms::KeyManager& keys, EndpointProxies* proxies, NodeLocks& locks)
      : engine_(engine),
        paths_(std::move(paths)),
        ports_(ports),
        keys_(keys),
        locks_(locks),
        groups_(engine_, paths_, proxies),
        clusterMode_(engine_, paths_, ports_, keys_, proxies) {}
  std::string kind() const override;
  StepOutcome step(Resource& group, ReconcileContext& ctx) override;

 private:
  StepOutcome create(Resource& group, ReconcileContext& ctx);
  StepOutcome testFailover(Resource& group, ReconcileContext& ctx);
  StepOutcome applyClientUsers(Resource& group, ReconcileContext& ctx);
  StepOutcome rebootMembers(Resource& group, ReconcileContext& ctx);
  StepOutcome remove(Resource& group, ReconcileContext& ctx);
  StepOutcome fail(Resource& group, ReconcileContext& ctx, const ApiError& error, const char* status);

  engines::RedisEngine& engine_;
  CachePaths paths_;
  PortAllocator& ports_;
  kms::KeyManager& keys_;  // opens sealed snapshots for restores
  NodeLocks& locks_;
  ReplicationGroups groups_;
  ClusterModeController clusterMode_;  // the groups with cluster mode enabled
};

}  // namespace kura::cache
