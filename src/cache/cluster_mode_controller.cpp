#include "cache/cluster_mode_controller.h"

#include <spdlog/spdlog.h>

#include "cache/client_users.h"
#include "cache/cluster_node.h"
#include "cache/cluster_restore.h"
#include "cache/parameter_apply.h"
#include "cache/step_failure.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

using namespace elasticache;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr int kMaxFormWaits = 600;  // of 100 ms: a minute

bool leaving(const nlohmann::json& record) { return record.value("Leaving", false); }

}  // namespace

StepOutcome ClusterModeController::fail(Resource& group, ReconcileContext& ctx, const ApiError& error,
                                        const char* status) {
  return failStep(group, ctx, error, status, "Replication group");
}

StepOutcome ClusterModeController::step(Resource& group, ReconcileContext& ctx) {
  if (group.status == kCreating) return create(group, ctx);
  if (group.status == kDeleting) return remove(group, ctx);
  if (group.status == kModifying) return modify(group, ctx);
  ctx.note("no step from " + group.status + " to " + group.goal);
  return StepOutcome::failed();
}

Result<bool> ClusterModeController::formed(Resource& group, ReconcileContext& ctx) {
  // The links first: a replica follows its primary through its own.
  if (auto routed = groups_.route(group); !routed) return routed.error();
  auto done = groups_.form(group);
  if (!done) return done.error();
  if (*done) {
    group.state.erase("FormWaits");
    return true;
  }
  int waits = group.state.value("FormWaits", 0) + 1;
  group.state["FormWaits"] = waits;
  if (waits > kMaxFormWaits) return ApiError::internal("the cluster's nodes did not form one cluster within a minute");
  (void)ctx;
  return false;
}

StepOutcome ClusterModeController::create(Resource& group, ReconcileContext& ctx) {
  auto whole = formed(group, ctx);
  if (!whole) return fail(group, ctx, whole.error(), kFailed);
  if (!*whole) return StepOutcome::retryAfter(milliseconds(100));
  if (auto routed = groups_.route(group); !routed) return fail(group, ctx, routed.error(), kFailed);
  std::string source = group.spec.value("RestoreSnapshotArn", "");
  if (!source.empty() && !group.state.value("Restored", false)) {
    auto snapshot = ctx.catalog().getResourceByArn(source);
    if (!snapshot || snapshot->status != kAvailable) {
      return fail(group, ctx, ApiError::sender("SnapshotNotFoundFault", "the snapshot to restore from is gone"), kRestoreFailed);
    }
    auto loaded = loadSnapshotIntoCluster(engine_, keys_, paths_, ports_, *snapshot, group, groups_);
    if (!loaded) return fail(group, ctx, loaded.error(), kRestoreFailed);
    group.state["Restored"] = true;
    group.state.erase("RestoreAttempts");
  }
  groups_.sync(group);
  markClientUsersApplied(group);
  markParametersStarted(group);
  group.state.erase("Attempts");
  group.state.erase("LastError");
  group.status = kAvailable;
  ctx.emitEvent("Replication group " + group.name + " created", {"creation"});
  return StepOutcome::done();
}

StepOutcome ClusterModeController::modify(Resource& group, ReconcileContext& ctx) {
  if (group.state.contains("FailoverNodeGroup")) {
    std::string nodeGroup = group.state["FailoverNodeGroup"];
    std::string old = ClusterModeGroups::primaryOf(group, nodeGroup);
    ctx.emitEvent("Test Failover API called for node group " + nodeGroup, {"failover"});
    auto chosen = groups_.plannedFailover(group, nodeGroup);
    group.state.erase("FailoverNodeGroup");
    group.status = kAvailable;
    ctx.emitEvent(chosen ? "Failover from primary node " + old + " to replica node " + *chosen +
                               " completed for node group " + nodeGroup
                         : "Failover of node group " + nodeGroup + " failed: " + chosen.error().message,
                  {chosen ? "failover" : "failure"});
    return StepOutcome::done();
  }
  // New nodes join (and replicas follow) first.
  auto whole = formed(group, ctx);
  if (!whole) return fail(group, ctx, whole.error(), kFailed);
  if (!*whole) return StepOutcome::retryAfter(milliseconds(100));
  if (auto routed = groups_.route(group); !routed) return fail(group, ctx, routed.error(), kFailed);
  std::string message = group.state.value("ModifyMessage", "Replication group " + group.name + " modified");
  if (group.state.value("Rebalance", false)) {
    // Slots move to new node groups and away from leaving ones, key by key
    // (MIGRATE), the clients redirected with ASK and MOVED meanwhile.
    std::string anchor;
    std::vector<std::string> args = {"--cluster", "rebalance"};
    std::vector<std::string> weights;
    for (const std::string& nodeGroup : ClusterModeGroups::nodeGroups(group)) {
      std::string primary = ClusterModeGroups::primaryOf(group, nodeGroup);
      if (leaving(group.state["NodeGroups"][nodeGroup])) {
        weights.push_back(group.state["Members"][primary].value("NodeId", "") + "=0");
      } else if (anchor.empty()) {
        anchor = primary;
      }
    }
    int port = group.state["Members"][anchor].value("Port", 0);
    std::string entry = std::string(kClusterInternalAddress) + ":" + std::to_string(port);
    // A move cut short (Kura killed in the middle) left slots open
    // (importing, migrating): they are closed first, their keys where
    // they belong.
    auto checked = engine_.admin(groups_.layout(group, anchor), {"--cluster", "check", entry}, std::chrono::seconds(60));
    if (checked.output.find("[WARNING]") != std::string::npos || checked.output.find("[ERR]") != std::string::npos) {
      auto fixed = engine_.admin(groups_.layout(group, anchor), {"--cluster", "fix", entry, "--cluster-yes"},
                                 std::chrono::seconds(600));
      if (!fixed.ok()) return fail(group, ctx, ApiError::internal("the open slots could not be closed: " + fixed.output), kFailed);
    }
    args.push_back(entry);
    args.insert(args.end(), {"--cluster-use-empty-masters", "--cluster-pipeline", "100"});
    if (!weights.empty()) {
      args.push_back("--cluster-weight");
      args.insert(args.end(), weights.begin(), weights.end());
    }
    auto moved = engine_.admin(groups_.layout(group, anchor), args, std::chrono::seconds(1800));
    if (!moved.ok() || moved.output.find("[ERR]") != std::string::npos) {
      std::string said = moved.output.size() > 400 ? moved.output.substr(moved.output.size() - 400) : moved.output;
      return fail(group, ctx, ApiError::internal("the slots could not be moved: " + said), kFailed);
    }
    group.state.erase("Rebalance");
    groups_.sync(group);
  }
  // Members leaving (replicas removed, node groups emptied of slots) go.
  std::vector<std::string> gone;
  for (const auto& [member, record] : group.state["Members"].items()) {
    std::string nodeGroup = record.value("NodeGroup", "");
    if (leaving(record) || leaving(group.state["NodeGroups"][nodeGroup])) gone.push_back(member);
  }
  // Replicas before their primary (del-node refuses a primary with slots).
  std::stable_sort(gone.begin(), gone.end(), [&](const std::string& a, const std::string& b) {
    auto rank = [&](const std::string& m) {
      return ClusterModeGroups::primaryOf(group, group.state["Members"][m].value("NodeGroup", "")) == m ? 1 : 0;
    };
    return rank(a) < rank(b);
  });
  for (const std::string& member : gone) {
    std::string stay;
    for (const auto& [other, record] : group.state["Members"].items()) {
      if (std::find(gone.begin(), gone.end(), other) == gone.end()) {
        stay = other;
        break;
      }
    }
    engines::RedisLayout node = groups_.layout(group, member);
    std::string id = group.state["Members"][member].value("NodeId", "");
    if (!id.empty() && engine_.running(node)) {
      int port = group.state["Members"][stay].value("Port", 0);
      auto removed = engine_.admin(groups_.layout(group, stay),
                                   {"--cluster", "del-node",
                                    std::string(kClusterInternalAddress) + ":" + std::to_string(port), id},
                                   std::chrono::seconds(60));
      if (!removed.ok() || removed.output.find("[ERR]") != std::string::npos) {
        return fail(group, ctx, ApiError::internal("node " + member + " could not leave the cluster: " + removed.output),
                    kFailed);
      }
    }
    if (auto stopped = engine_.stop(node); !stopped) return fail(group, ctx, stopped.error(), kFailed);
    groups_.forgetMember(group, member);
    std::error_code ec;
    fs::remove_all(node.dir, ec);
    releasePorts(group, member);
    std::string nodeGroup = group.state["Members"][member].value("NodeGroup", "");
    group.state["Members"].erase(member);
    if (leaving(group.state["NodeGroups"][nodeGroup]) && ClusterModeGroups::membersOf(group, nodeGroup).empty()) {
      group.state["NodeGroups"].erase(nodeGroup);
    }
  }
  if (auto routed = groups_.route(group); !routed) return fail(group, ctx, routed.error(), kFailed);
  groups_.sync(group);
  group.spec["NumNodeGroups"] = ClusterModeGroups::nodeGroups(group).size();
  group.state.erase("ModifyMessage");
  group.state.erase("Attempts");
  group.state.erase("LastError");
  group.status = kAvailable;
  ctx.emitEvent(message, {"configuration change"});
  return StepOutcome::done();
}

void ClusterModeController::releasePorts(const Resource& group, const std::string& member) {
  for (const char* port : {"Port", "EnginePort", "BusPort"}) {
    if (group.state["Members"][member].contains(port)) ports_.release(group.state["Members"][member][port]);
  }
}

StepOutcome ClusterModeController::remove(Resource& group, ReconcileContext& ctx) {
  std::string finalSnapshot = group.spec.value("FinalSnapshotIdentifier", "");
  if (!finalSnapshot.empty()) {
    auto snapshot = ctx.catalog().getResource(group.accountId, group.region, kSnapshot, finalSnapshot);
    if (snapshot && snapshot->status == kCreating) return StepOutcome::retryAfter(milliseconds(200));
  }
  if (auto stopped = groups_.stopAll(group); !stopped) return fail(group, ctx, stopped.error(), kFailed);
  // A restore a crash cut short: its loaders go before their ports do.
  if (!stopSnapshotLoaders(engine_, paths_.groupDir(group))) {
    return fail(group, ctx, ApiError::internal("a snapshot's loading node did not stop"), kFailed);
  }
  ports_.releaseAllOf(group.arn + "#restoring");
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
  if (group.state.contains("EndpointPort")) ports_.release(group.state["EndpointPort"]);
  for (const auto& [member, unused] : group.state["Members"].items()) releasePorts(group, member);
  group.status = kDeleted;
  ctx.emitEvent("Replication group " + group.name + " deleted", {"deletion"});
  return StepOutcome::done();
}

}  // namespace kura::cache
