#include "cache/cache_cluster_controller.h"

#include "cache/client_users.h"
#include "cache/memcached_discovery.h"
#include "cache/memcached_nodes.h"
#include "cache/parameter_apply.h"
#include "cache/restore_image.h"
#include "cache/step_failure.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

using namespace elasticache;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

}  // namespace

std::string CacheClusterController::kind() const { return kCluster; }

StepOutcome CacheClusterController::fail(Resource& resource, ReconcileContext& ctx, const ApiError& error,
                                         const char* status) {
  return failStep(resource, ctx, error, status, "Cache cluster");
}

StepOutcome CacheClusterController::step(Resource& cluster, ReconcileContext& ctx) {
  auto guard = locks_.lock(cluster.arn);
  if (isMemcached(cluster)) return stepMemcached(cluster, ctx);
  engines::RedisLayout layout = nodeLayout(cluster, paths_);
  if (cluster.status == kCreating) return create(cluster, ctx);
  if (cluster.status == kDeleting) return remove(cluster, ctx);
  if (cluster.status == kRebooting) {
    if (auto stopped = engine_.stop(layout); !stopped) return fail(cluster, ctx, stopped.error(), kFailed);
    if (auto started = engine_.start(layout); !started) return fail(cluster, ctx, started.error(), kFailed);
    if (auto routed = endpoints_.route(cluster); !routed) return fail(cluster, ctx, routed.error(), kFailed);
    // It started with every value of its parameter group.
    markParametersRebooted(cluster, {kNodeId});
    cluster.state.erase("ParametersToApply");
    cluster.status = kAvailable;
    ctx.emitEvent(std::string("Cache node ") + kNodeId + " restarted", {"notification"});
    return StepOutcome::done();
  }
  if (cluster.status == kModifying) {
    // New client users: set on the running node (one that is down has them
    // from its redis.conf when it starts again).
    if (clientUsersPending(cluster) && engine_.running(layout)) {
      if (auto applied = engine_.applyClientUsers(layout); !applied) return fail(cluster, ctx, applied.error(), kFailed);
    }
    markClientUsersApplied(cluster);
    cluster.state.erase("Attempts");
    cluster.state.erase("LastError");
    cluster.status = kAvailable;
    ctx.emitEvent("Cache cluster modified: its users changed", {"configuration change"});
    return StepOutcome::done();
  }
  ctx.note("no step from " + cluster.status + " to " + cluster.goal);
  return StepOutcome::failed();
}

StepOutcome CacheClusterController::create(Resource& cluster, ReconcileContext& ctx) {
  if (!cluster.state.value("FilesReady", false)) {
    std::string source = cluster.spec.value("RestoreSnapshotArn", "");
    if (!source.empty()) {
      auto snapshot = ctx.catalog().getResourceByArn(source);
      if (!snapshot || snapshot->status != kAvailable) {
        return fail(cluster, ctx, ApiError::sender("SnapshotNotFoundFault", "the snapshot to restore from is gone"), kRestoreFailed);
      }
      auto made = restoreImage(engine_, keys_, paths_, *snapshot, nodeLayout(cluster, paths_));
      if (!made) return fail(cluster, ctx, made.error(), kRestoreFailed);
    }
    cluster.state["FilesReady"] = true;
    cluster.state.erase("RestoreAttempts");
    return StepOutcome::progress();
  }
  if (auto started = engine_.start(nodeLayout(cluster, paths_)); !started) {
    return fail(cluster, ctx, started.error(), kFailed);
  }
  if (auto routed = endpoints_.route(cluster); !routed) return fail(cluster, ctx, routed.error(), kFailed);
  cluster.state.erase("Attempts");
  cluster.state.erase("LastError");
  markClientUsersApplied(cluster);
  cluster.status = kAvailable;
  markParametersStarted(cluster);
  ctx.emitEvent("Cache cluster created", {"creation"});
  return StepOutcome::done();
}

StepOutcome CacheClusterController::remove(Resource& cluster, ReconcileContext& ctx) {
  std::string finalSnapshot = cluster.spec.value("FinalSnapshotIdentifier", "");
  if (!finalSnapshot.empty()) {
    auto snapshot = ctx.catalog().getResource(cluster.accountId, cluster.region, kSnapshot, finalSnapshot);
    if (snapshot && snapshot->status == kCreating) return StepOutcome::retryAfter(milliseconds(200));
  }
  engines::RedisLayout layout = nodeLayout(cluster, paths_);
  endpoints_.forget(cluster);
  if (auto stopped = engine_.stop(layout); !stopped) return fail(cluster, ctx, stopped.error(), kFailed);
  std::error_code ec;
  fs::remove_all(paths_.clusterDir(cluster), ec);
  if (ec) return fail(cluster, ctx, ApiError::internal("cannot remove the cluster's files: " + ec.message()), kFailed);
  // Automatic snapshots go with their cluster; manual ones stay.
  for (Resource snapshot : ctx.catalog().listAllOfKind(kSnapshot)) {
    if (snapshot.spec.value("SourceClusterArn", "") != cluster.arn ||
        snapshot.spec.value("SnapshotSource", "") != "automated" || snapshot.goal == kDeleted) {
      continue;
    }
    snapshot.status = kDeleting;
    snapshot.goal = kDeleted;
    ctx.catalog().updateResource(snapshot);
  }
  for (const char* port : {"Port", "EnginePort"}) {
    if (cluster.state.contains(port)) ports_.release(cluster.state[port]);
  }
  cluster.status = kDeleted;
  ctx.emitEvent("Cache cluster deleted", {"deletion"});
  return StepOutcome::done();
}

StepOutcome CacheClusterController::stepMemcached(Resource& cluster, ReconcileContext& ctx) {
  if (memcached_ == nullptr) return fail(cluster, ctx, ApiError::internal("memcached is not installed"), kFailed);
  const std::string status = cluster.status;
  if (status == kDeleting || status == kModifying) {
    // Nodes going away (all of them, or those ModifyCacheCluster removes).
    std::vector<std::string> leaving = memcachedNodeIds(cluster);
    if (status == kModifying) leaving = cluster.state.value("NodesToRemove", std::vector<std::string>());
    for (const std::string& node : leaving) {
      if (!cluster.state["Nodes"].contains(node)) continue;
      auto layout = memcachedLayout(cluster, node, paths_);
      endpoints_.forgetNode(cluster, node);
      if (auto stopped = memcached_->stop(layout); !stopped) return fail(cluster, ctx, stopped.error(), kFailed);
      std::error_code ec;
      fs::remove_all(layout.dir, ec);
      for (const char* port : {"Port", "EnginePort"}) {
        if (cluster.state["Nodes"][node].contains(port)) ports_.release(cluster.state["Nodes"][node][port]);
      }
      if (status == kModifying) cluster.state["Nodes"].erase(node);
    }
    markParametersRebooted(cluster, leaving);
    cluster.state.erase("NodesToRemove");
    if (status == kDeleting) {
      std::error_code ec;
      fs::remove_all(paths_.clusterDir(cluster), ec);
      cluster.status = kDeleted;
      ctx.emitEvent("Cache cluster deleted", {"deletion"});
      return StepOutcome::done();
    }
  }
  if (status == kRebooting) {
    for (const std::string& node : cluster.state.value("NodesToReboot", std::vector<std::string>())) {
      auto layout = memcachedLayout(cluster, node, paths_);
      if (auto stopped = memcached_->stop(layout); !stopped) return fail(cluster, ctx, stopped.error(), kFailed);
    }
  }
  if (status != kCreating && status != kModifying && status != kRebooting) {
    ctx.note("no step from " + status + " to " + cluster.goal);
    return StepOutcome::failed();
  }
  // Auto Discovery's clients learn of nodes added or removed.
  if (status == kModifying) raiseMemcachedConfigVersion(cluster);
  // Every listed node runs (new ones start, rebooted ones start again, empty).
  for (const std::string& node : memcachedNodeIds(cluster)) {
    auto started = memcached_->start(memcachedLayout(cluster, node, paths_));
    if (!started) return fail(cluster, ctx, started.error(), kFailed);
  }
  if (auto routed = endpoints_.route(cluster); !routed) return fail(cluster, ctx, routed.error(), kFailed);
  if (status == kRebooting) {
    for (const std::string& node : cluster.state.value("NodesToReboot", std::vector<std::string>())) {
      ctx.emitEvent("Cache node " + node + " restarted", {"notification"});
    }
    markParametersRebooted(cluster, cluster.state.value("NodesToReboot", std::vector<std::string>()));
    cluster.state.erase("NodesToReboot");
  }
  cluster.state.erase("Attempts");
  cluster.state.erase("LastError");
  if (status == kCreating) {
    markParametersStarted(cluster);
    ctx.emitEvent("Cache cluster created", {"creation"});
  }
  if (status == kModifying) ctx.emitEvent("Cache cluster modified", {"configuration change"});
  cluster.status = kAvailable;
  return StepOutcome::done();
}

}  // namespace kura::cache
