// The part of DbInstanceController that concerns read replicas: a new
// replica's files (a streaming copy of its source's current primary), and
// what becomes of the replicas when their source is deleted: as in RDS,
// each one is promoted to a stand-alone instance.
#include "rds/db_instance_controller.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

std::vector<Resource> replicasOf(Catalog& catalog, const Resource& source) {
  std::vector<Resource> replicas;
  for (Resource& other : catalog.listAllOfKind(kInstance)) {
    if (isReadReplica(other) && other.goal != kDeleted &&
        other.spec.value("ReadReplicaSourceArn", "") == source.arn) {
      replicas.push_back(std::move(other));
    }
  }
  return replicas;
}

}  // namespace

std::string upstreamKey(const EngineLayout& upstream) {
  return upstream.dir.string() + ":" + std::to_string(upstream.port);
}

StepOutcome DbInstanceController::makeReplicaFiles(Resource& instance, const EngineLayout& layout,
                                                   ReconcileContext& ctx) {
  auto source = ctx.catalog().getResourceByArn(instance.spec["ReadReplicaSourceArn"]);
  if (!source || source->status == kDeleted || source->goal == kDeleted) {
    return failStep(instance, ctx, ApiError::internal("the source instance is gone"), kFailed);
  }
  // A Multi-AZ source: from the node that is its primary now.
  auto sourceLayout = layoutOf(*source, paths_, secrets_);
  if (!sourceLayout) return failStep(instance, ctx, sourceLayout.error(), kFailed);
  if (auto made = engine_.createStandby(*sourceLayout, layout); !made) {
    return failStep(instance, ctx, made.error(), kFailed);
  }
  instance.state["Upstream"] = upstreamKey(*sourceLayout);
  instance.state["FilesReady"] = true;
  return StepOutcome::progress();
}

std::optional<StepOutcome> DbInstanceController::awaitNewReplicas(const Resource& instance, ReconcileContext& ctx) {
  for (const Resource& replica : replicasOf(ctx.catalog(), instance)) {
    if (replica.status == kCreating) {
      ctx.note("waiting for the read replica " + replica.name + " to be created");
      return StepOutcome::retryAfter(std::chrono::milliseconds(500));
    }
    // One being copied again from this source: whole once the copy ends
    // (and then promoted with the others); cut short, it would be promoted
    // half copied. Nothing noted: the wait may be long, and changes nothing.
    if (copies_ != nullptr && copies_->busy(replica.arn)) return StepOutcome::retryAfter(std::chrono::milliseconds(500));
  }
  return std::nullopt;
}

void DbInstanceController::promoteReplicasOf(const Resource& instance, ReconcileContext& ctx) {
  // The source has stopped cleanly: its walsenders sent every commit to the
  // replicas that were streaming before it exited.
  for (int attempt = 0; attempt < 5; ++attempt) {
    bool conflict = false;
    for (Resource replica : replicasOf(ctx.catalog(), instance)) {
      if (replica.state.value("PromotionRequested", false)) continue;
      if (replica.status != kAvailable) {
        ctx.note("the read replica " + replica.name + " is " + replica.status + ": not promoted");
        continue;
      }
      replica.state["PromotionRequested"] = true;
      replica.status = kModifying;
      replica.goal = kAvailable;
      if (!ctx.catalog().updateResource(replica)) conflict = true;  // changed meanwhile: read again
    }
    if (!conflict) break;
  }
  ctx.requestRescan();
}

}  // namespace kura::rds
