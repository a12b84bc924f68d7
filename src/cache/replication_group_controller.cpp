#include "cache/replication_group_controller.h"

#include "cache/client_users.h"
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

std::string ReplicationGroupController::kind() const { return kReplicationGroup; }

StepOutcome ReplicationGroupController::fail(Resource& resource, ReconcileContext& ctx, const ApiError& error,
                                             const char* status) {
  return failStep(resource, ctx, error, status, "Replication group");
}

StepOutcome ReplicationGroupController::step(Resource& group, ReconcileContext& ctx) {
  auto guard = locks_.lock(group.arn);
  if (ClusterModeGroups::enabled(group) && !(group.status == kModifying && clientUsersPending(group))) {
    return clusterMode_.step(group, ctx);
  }
  if (group.status == kCreating) return create(group, ctx);
  if (group.status == kDeleting) return remove(group, ctx);
  // Users first: a failover asked for meanwhile waits for them.
  if (group.status == kModifying && clientUsersPending(group)) return applyClientUsers(group, ctx);
  if (group.status == kModifying && group.state.value("FailoverRequested", false)) return testFailover(group, ctx);
  if (group.status == kModifying && group.state.contains("MembersToReboot")) return rebootMembers(group, ctx);
  if (group.status == kModifying) {
    group.status = kAvailable;
    return StepOutcome::done();
  }
  ctx.note("no step from " + group.status + " to " + group.goal);
  return StepOutcome::failed();
}

StepOutcome ReplicationGroupController::create(Resource& group, ReconcileContext& ctx) {
  if (!group.state.value("FilesReady", false)) {
    std::string source = group.spec.value("RestoreSnapshotArn", "");
    if (!source.empty()) {
      auto snapshot = ctx.catalog().getResourceByArn(source);
      if (!snapshot || snapshot->status != kAvailable) {
        return fail(group, ctx, ApiError::sender("SnapshotNotFoundFault", "the snapshot to restore from is gone"), kRestoreFailed);
      }
      // The primary starts from the image; the replicas copy the primary.
      auto made = restoreImage(engine_, keys_, paths_, *snapshot,
                               memberLayout(group, ReplicationGroups::primary(group), paths_));
      if (!made) return fail(group, ctx, made.error(), kRestoreFailed);
    }
    group.state["FilesReady"] = true;
    group.state.erase("RestoreAttempts");
    return StepOutcome::progress();
  }
  if (auto started = groups_.startAll(group); !started) return fail(group, ctx, started.error(), kFailed);
  if (auto routed = groups_.route(group); !routed) return fail(group, ctx, routed.error(), kFailed);
  // Available once every replica streams from the primary.
  for (const std::string& member : ReplicationGroups::members(group)) {
    if (member == ReplicationGroups::primary(group)) continue;
    if (engine_.replicaLinked(memberLayout(group, member, paths_))) continue;
    int waits = group.state.value("LinkWaits", 0) + 1;
    group.state["LinkWaits"] = waits;
    if (waits > 600) return fail(group, ctx, ApiError::internal("replica " + member + " does not stream"), kFailed);
    return StepOutcome::retryAfter(milliseconds(100));
  }
  group.state.erase("LinkWaits");
  // Every node started with the users and parameters the record holds now
  // (an adopted one had the users set by start).
  markClientUsersApplied(group);
  markParametersStarted(group);
  if (auto routed = groups_.route(group); !routed) return fail(group, ctx, routed.error(), kFailed);
  group.state.erase("Attempts");
  group.state.erase("LastError");
  group.status = kAvailable;
  ctx.emitEvent("Replication group " + group.name + " created", {"creation"});
  return StepOutcome::done();
}

StepOutcome ReplicationGroupController::applyClientUsers(Resource& group, ReconcileContext& ctx) {
  for (const std::string& member : ReplicationGroups::members(group)) {
    engines::RedisLayout layout = memberLayout(group, member, paths_);
    // A node that is down has them from its redis.conf when it starts again.
    if (!engine_.running(layout)) continue;
    if (auto applied = engine_.applyClientUsers(layout); !applied) return fail(group, ctx, applied.error(), kFailed);
  }
  markClientUsersApplied(group);
  group.state.erase("Attempts");
  group.state.erase("LastError");
  ctx.emitEvent("Replication group " + group.name + " modified: its users changed", {"configuration change"});
  if (group.state.value("FailoverRequested", false)) return StepOutcome::progress();
  group.status = kAvailable;
  return StepOutcome::done();
}

StepOutcome ReplicationGroupController::rebootMembers(Resource& group, ReconcileContext& ctx) {
  auto rebooting = group.state.value("MembersToReboot", std::vector<std::string>());
  for (const std::string& member : rebooting) {
    if (!group.state["Members"].contains(member)) continue;
    // In its role: a primary comes back from its append-only file, a
    // replica follows the primary again.
    engines::RedisLayout layout = memberLayout(group, member, paths_);
    if (auto stopped = engine_.stop(layout); !stopped) return fail(group, ctx, stopped.error(), kFailed);
    if (auto started = engine_.start(layout); !started) return fail(group, ctx, started.error(), kFailed);
    ctx.emitEvent("Cache node 0001 of " + member + " restarted", {"notification"});
  }
  if (auto routed = groups_.route(group); !routed) return fail(group, ctx, routed.error(), kFailed);
  markParametersRebooted(group, rebooting);
  group.state.erase("MembersToReboot");
  group.status = kAvailable;
  return StepOutcome::done();
}

StepOutcome ReplicationGroupController::testFailover(Resource& group, ReconcileContext& ctx) {
  std::string old = ReplicationGroups::primary(group);
  std::string target = group.state.value("FailoverTarget", "");
  if (target.empty()) ctx.emitEvent("Test Failover API called for node group 0001", {"failover"});
  auto chosen = groups_.failOver(group, /*planned=*/true, target);
  group.state.erase("FailoverTarget");
  if (!chosen) {
    group.state.erase("FailoverRequested");
    group.status = kAvailable;
    ctx.emitEvent("Failover of node group 0001 failed: " + chosen.error().message, {"failure"});
    return StepOutcome::done();
  }
  group.state.erase("FailoverRequested");
  group.status = kAvailable;
  ctx.emitEvent("Failover from primary node " + old + " to replica node " + *chosen + " completed", {"failover"});
  return StepOutcome::done();
}

StepOutcome ReplicationGroupController::remove(Resource& group, ReconcileContext& ctx) {
  std::string finalSnapshot = group.spec.value("FinalSnapshotIdentifier", "");
  if (!finalSnapshot.empty()) {
    auto snapshot = ctx.catalog().getResource(group.accountId, group.region, kSnapshot, finalSnapshot);
    if (snapshot && snapshot->status == kCreating) return StepOutcome::retryAfter(milliseconds(200));
  }
  if (auto stopped = groups_.stopAll(group); !stopped) return fail(group, ctx, stopped.error(), kFailed);
  groups_.forget(group);
  std::error_code ec;
  fs::remove_all(paths_.groupDir(group), ec);
  if (ec) return fail(group, ctx, ApiError::internal("cannot remove the group's files: " + ec.message()), kFailed);
  for (Resource snapshot : ctx.catalog().listAllOfKind(kSnapshot)) {
    if (snapshot.spec.value("SourceClusterArn", "") != group.arn ||
        snapshot.spec.value("SnapshotSource", "") != "automated" || snapshot.goal == kDeleted) {
      continue;
    }
    snapshot.status = kDeleting;
    snapshot.goal = kDeleted;
    ctx.catalog().updateResource(snapshot);
  }
  for (const char* port : {"EndpointPort", "ReaderPort"}) {
    if (group.state.contains(port)) ports_.release(group.state[port]);
  }
  for (const std::string& member : ReplicationGroups::members(group)) {
    for (const char* port : {"Port", "EnginePort"}) {
      if (group.state["Members"][member].contains(port)) ports_.release(group.state["Members"][member][port]);
    }
  }
  group.status = kDeleted;
  ctx.emitEvent("Replication group " + group.name + " deleted", {"deletion"});
  return StepOutcome::done();
}

}  // namespace kura::cache
