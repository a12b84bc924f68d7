#include "rds/db_cluster_controller.h"

#include <spdlog/spdlog.h>

#include "common/time_format.h"
#include "services/rds/cluster_endpoints.h"
#include "services/rds/cluster_records.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

using std::chrono::milliseconds;

}  // namespace

std::string DbClusterController::kind() const { return kCluster; }

StepOutcome DbClusterController::step(Resource& cluster, ReconcileContext& ctx) {
  if (cluster.status == kCreating) {
    cluster.status = kAvailable;
    ctx.emitEvent("DB cluster created", {"creation"});
    return StepOutcome::done();
  }
  if (cluster.status == kFailingOver) {
    return cluster.state.value("FailoverSwitched", false) ? promoteWriter(cluster, ctx) : switchWriter(cluster, ctx);
  }
  if (cluster.status == kModifying) {
    cluster.status = kAvailable;
    return StepOutcome::done();
  }
  if (cluster.status == kDeleting) return remove(cluster, ctx);
  if (cluster.status == kStopping || cluster.status == kStarting) return settleStopOrStart(cluster, ctx);
  ctx.note("no step from " + cluster.status + " to " + cluster.goal);
  return StepOutcome::failed();
}

StepOutcome DbClusterController::settleStopOrStart(Resource& cluster, ReconcileContext& ctx) {
  // Each instance's server is its controller's to stop or start; the cluster
  // settles once none is still on its way (one that failed keeps its own
  // status, which DescribeDBInstances shows).
  const std::string moving = cluster.status;
  std::string failed;  // the members that ended failed, named in the event
  for (const Resource& member : clusterMembers(ctx.catalog(), cluster)) {
    if (member.status == moving) return StepOutcome::retryAfter(milliseconds(200));
    if (member.status == kFailed) failed += (failed.empty() ? "" : ", ") + member.name;
  }
  std::string also = failed.empty() ? "" : "; DB instances that failed (see their events): " + failed;
  if (moving == kStopping) {
    cluster.status = kStopped;
    cluster.state["StoppedAt"] = toEpochSeconds(ctx.now());  // its AutomaticRestartTime counts from here
    ctx.emitEvent("DB cluster stopped" + also, {"notification"});
  } else {
    cluster.status = kAvailable;
    cluster.state.erase("StoppedAt");
    ctx.emitEvent("DB cluster started" + also, {"notification"});
  }
  return StepOutcome::done();
}

StepOutcome DbClusterController::endFailover(Resource& cluster, ReconcileContext& ctx, const std::string& message) {
  for (const char* name : {"FailoverSwitched", "FailoverTarget", "FailoverPlanned", "FailoverAway"}) {
    cluster.state.erase(name);
  }
  cluster.status = kAvailable;
  ctx.emitEvent(message, {"failover"});
  return StepOutcome::done();
}

StepOutcome DbClusterController::switchWriter(Resource& cluster, ReconcileContext& ctx) {
  const std::string oldArn = cluster.state.value("Writer", "");
  const std::string target = cluster.state.value("FailoverTarget", "");
  const bool planned = cluster.state.value("FailoverPlanned", false);
  std::vector<Resource> members = clusterMembers(ctx.catalog(), cluster);
  std::optional<Resource> old;
  std::vector<std::pair<Resource, EngineLayout>> candidates;
  for (const Resource& member : members) {
    if (member.arn == oldArn) {
      old = member;
      continue;
    }
    if (member.status != kAvailable || !followsWriter(cluster, member)) continue;
    if (!target.empty() && member.arn != target) continue;
    auto layout = layoutOf(member, paths_, secrets_);
    if (layout && engine_.running(*layout)) candidates.emplace_back(member, *layout);
  }
  if (candidates.empty()) {
    return endFailover(cluster, ctx, target.empty() ? "Failover skipped: the cluster has no reader to fail over to"
                                                    : "Failover skipped: the target instance is not a streaming reader");
  }
  if (old) {
    auto layout = layoutOf(*old, paths_, secrets_);
    if (!layout) return endFailover(cluster, ctx, "Failover failed: " + layout.error().message);
    // A clean stop sends every commit to the readers before the server exits.
    auto fenced = planned ? engine_.stop(*layout) : engine_.fence(*layout);
    if (!fenced && planned) fenced = engine_.fence(*layout);
    if (!fenced) {
      ctx.note(fenced.error().message);
      return StepOutcome::retryAfter(milliseconds(500));
    }
  }
  // The reader furthest ahead has every commit a reader acknowledged;
  // among those as far ahead, the one of the best PromotionTier (0 first),
  // as Aurora orders them (then the first by name).
  const std::pair<Resource, EngineLayout>* chosen = nullptr;
  uint64_t furthest = 0;
  auto tierOf = [](const Resource& member) { return member.spec.value("PromotionTier", 1); };
  for (const auto& candidate : candidates) {
    auto position = engine_.walPosition(candidate.second);
    if (!position) continue;
    bool better = chosen == nullptr || *position > furthest ||
                  (*position == furthest && (tierOf(candidate.first) < tierOf(chosen->first) ||
                                             (tierOf(candidate.first) == tierOf(chosen->first) &&
                                              candidate.first.name < chosen->first.name)));
    if (better) {
      chosen = &candidate;
      furthest = *position;
    }
  }
  if (chosen == nullptr) {
    ctx.note("no reader answers: trying again");
    return StepOutcome::retryAfter(milliseconds(500));
  }
  spdlog::info("msg=\"cluster failover\" cluster={} from={} to={} planned={}", cluster.name,
               old ? old->name : std::string("-"), chosen->first.name, planned);
  cluster.state["Writer"] = chosen->first.arn;
  cluster.state["WriterEpoch"] = cluster.state.value("WriterEpoch", 0) + 1;
  cluster.state["FailoverSwitched"] = true;
  ctx.emitEvent("Started cross AZ failover to DB instance: " + chosen->first.name, {"failover"});
  return StepOutcome::progress();  // the new writer is recorded before it is promoted
}

StepOutcome DbClusterController::promoteWriter(Resource& cluster, ReconcileContext& ctx) {
  auto writer = ctx.catalog().getResourceByArn(cluster.state.value("Writer", ""));
  if (!writer) return endFailover(cluster, ctx, "Failover failed: the new writer is gone");
  auto layout = layoutOf(*writer, paths_, secrets_);
  if (!layout) return endFailover(cluster, ctx, "Failover failed: " + layout.error().message);
  layout->synchronousStandby = false;  // no reader follows it yet
  if (!engine_.running(*layout)) {
    if (auto started = engine_.start(*layout); !started) {
      ctx.note(started.error().message);
      return StepOutcome::retryAfter(milliseconds(500));
    }
  }
  if (auto promoted = engine_.promote(*layout); !promoted) {
    ctx.note(promoted.error().message);
    return StepOutcome::retryAfter(milliseconds(500));
  }
  if (auto reloaded = engine_.reload(*layout); !reloaded) ctx.note(reloaded.error().message);
  if (auto routed = endpoints_.route(cluster, clusterMembers(ctx.catalog(), cluster),
                                     customEndpointsOf(ctx.catalog(), cluster.arn));
      !routed) {
    ctx.note(routed.error().message);
  }
  return endFailover(cluster, ctx, "Completed failover to DB instance: " + writer->name);
}

StepOutcome DbClusterController::remove(Resource& cluster, ReconcileContext& ctx) {
  std::string finalSnapshot = cluster.spec.value("FinalDBSnapshotIdentifier", "");
  if (!finalSnapshot.empty()) {
    auto snapshot = ctx.catalog().getResource(cluster.accountId, cluster.region, kClusterSnapshot, finalSnapshot);
    if (snapshot && snapshot->status == kCreating) return StepOutcome::retryAfter(milliseconds(200));
  }
  endpoints_.remove(cluster);
  std::error_code ec;
  std::filesystem::remove_all(paths_.clusterVolume(cluster), ec);
  std::filesystem::remove_all(paths_.walArchive(cluster.spec.value("DbClusterResourceId", "")), ec);
  for (Resource snapshot : ctx.catalog().listAllOfKind(kClusterSnapshot)) {
    if (snapshot.spec.value("SourceClusterArn", "") != cluster.arn ||
        snapshot.spec.value("SnapshotType", "") != "automated" || snapshot.goal == kDeleted) {
      continue;
    }
    snapshot.status = kDeleting;
    snapshot.goal = kDeleted;
    if (ctx.catalog().updateResource(snapshot)) ctx.requestRescan();
  }
  for (const char* port : {"Port", "ReaderPort"}) {
    if (cluster.state.contains(port)) ports_.release(cluster.state[port]);
  }
  cluster.status = kDeleted;
  ctx.emitEvent("DB cluster deleted", {"deletion"});
  return StepOutcome::done();
}

}  // namespace kura::rds
