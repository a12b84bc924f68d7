// The part of DbInstanceController that makes, joins and removes the
// instances of Aurora clusters (see aurora_cluster.h).
#include <spdlog/spdlog.h>

#include "common/durable_tree.h"
#include "common/time_format.h"
#include "kms/tree_envelope.h"
#include "rds/db_instance_controller.h"
#include "services/rds/cluster_endpoints.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

SystemTime fromEpoch(double seconds) { return SystemTime(milliseconds(static_cast<long long>(seconds * 1000))); }

// The newest available snapshot of the cluster taken at or before `target`.
std::optional<Resource> newestClusterBackup(Catalog& catalog, const std::string& clusterArn, double target) {
  std::optional<Resource> base;
  for (const Resource& snapshot : catalog.listAllOfKind(kClusterSnapshot)) {
    if (snapshot.status != kAvailable || snapshot.spec.value("SourceClusterArn", "") != clusterArn ||
        !snapshot.state.contains("SnapshotCreateTime")) {
      continue;
    }
    double taken = snapshot.state["SnapshotCreateTime"];
    if (taken > target) continue;
    if (!base || taken > base->state["SnapshotCreateTime"].get<double>()) base = snapshot;
  }
  return base;
}

bool busy(const std::string& status) {
  return status == kCreating || status == kBackingUp || status == kModifying || status == kRebooting;
}

}  // namespace

StepOutcome DbInstanceController::makeMemberFiles(Resource& instance, const EngineLayout& layout,
                                                 ReconcileContext& ctx) {
  auto cluster = ctx.catalog().getResourceByArn(instance.spec.value("ClusterArn", ""));
  if (!cluster || cluster->status == kDeleting || cluster->status == kDeleted) {
    return failStep(instance, ctx, ApiError::internal("the instance's cluster is gone"), kFailed);
  }
  if (cluster->state.value("Writer", "").empty()) {
    // The cluster lost its writer meanwhile: this instance takes over.
    auto claimed = updateCluster(ctx.catalog(), cluster->arn, [&](Resource& c) {
      if (!c.state.value("Writer", "").empty()) return;
      c.state["Writer"] = instance.arn;
      c.state["WriterEpoch"] = c.state.value("WriterEpoch", 0) + 1;
    });
    if (!claimed) return failStep(instance, ctx, claimed.error(), kFailed);
    cluster = claimed;
  }
  if (isClusterWriter(*cluster, instance)) {
    const Json source = cluster->spec.value("RestoreSource", Json());
    Result<bool> made = true;
    if (cluster->state.value("HasVolume", false)) {
      // The cluster's data as its last writer left it, replayed to the end of
      // the cluster's WAL archive.
      made = restoreFiles(instance, paths_.clusterVolume(*cluster), {cluster->accountId, cluster->region}, layout,
                          std::nullopt, layout.walArchive);
    } else if (source.contains("ClusterSnapshotArn")) {
      auto snapshot = ctx.catalog().getResourceByArn(source["ClusterSnapshotArn"]);
      if (!snapshot || snapshot->status != kAvailable) {
        return failStep(instance, ctx, ApiError::internal("the cluster snapshot to restore from is gone"),
                        kIncompatibleRestore);
      }
      made = restoreFrom(instance, *snapshot, layout, std::nullopt, {});
    } else if (source.contains("SourceClusterArn")) {
      double target = source["RestoreTime"];
      auto base = newestClusterBackup(ctx.catalog(), source["SourceClusterArn"], target);
      if (!base) {
        return failStep(instance, ctx, ApiError::internal("no backup of the source cluster precedes the restore time"),
                        kIncompatibleRestore);
      }
      std::optional<SystemTime> until = fromEpoch(target);
      if (source.value("UseLatest", false)) until = std::nullopt;
      made = restoreFrom(instance, *base, layout, until, paths_.walArchive(source.value("SourceArchiveId", "")));
    } else {
      made = engine_.create(layout);
    }
    if (!made) return failStep(instance, ctx, made.error(), source.is_null() ? kFailed : kIncompatibleRestore);
    instance.state["Upstream"] = instance.arn;
  } else {
    auto writer = ctx.catalog().getResourceByArn(cluster->state.value("Writer", ""));
    if (!writer || writer->status == kDeleted) {
      return failStep(instance, ctx, ApiError::internal("the cluster's writer is gone"), kFailed);
    }
    auto writerLayout = layoutOf(*writer, paths_, secrets_);
    if (!writerLayout) return failStep(instance, ctx, writerLayout.error(), kFailed);
    if (writer->status != kAvailable || !engine_.running(*writerLayout)) {
      if (busy(writer->status) || writer->status == kAvailable || cluster->status == kFailingOver) {
        ctx.note("waiting for the writer " + writer->name);
        return StepOutcome::retryAfter(milliseconds(1000));
      }
      return failStep(instance, ctx, ApiError::internal("the cluster's writer is " + writer->status), kFailed);
    }
    if (auto made = engine_.createStandby(*writerLayout, layout); !made) {
      return failStep(instance, ctx, made.error(), kFailed);
    }
    instance.state["Upstream"] = writer->arn;
    instance.state["UpstreamEpoch"] = cluster->state.value("WriterEpoch", 0);
  }
  instance.state["FilesReady"] = true;
  return StepOutcome::progress();
}

void DbInstanceController::joinCluster(Resource& instance, ReconcileContext& ctx) {
  const std::string clusterArn = instance.spec.value("ClusterArn", "");
  auto cluster = ctx.catalog().getResourceByArn(clusterArn);
  if (!cluster) return;
  if (isClusterWriter(*cluster, instance) && cluster->state.value("HasVolume", false)) {
    // The data is back in an instance: the volume's copy goes.
    auto updated = updateCluster(ctx.catalog(), clusterArn, [](Resource& c) { c.state["HasVolume"] = false; });
    if (updated) {
      std::error_code ec;
      fs::remove_all(paths_.clusterVolume(*updated), ec);
      cluster = updated;
    }
  }
  std::vector<Resource> members = clusterMembers(ctx.catalog(), *cluster);
  for (Resource& member : members) {
    if (member.arn == instance.arn) member.status = kAvailable;  // about to be
  }
  if (auto routed = endpoints_.route(*cluster, members, customEndpointsOf(ctx.catalog(), cluster->arn)); !routed) {
    ctx.note(routed.error().message);
  }
}

std::optional<StepOutcome> DbInstanceController::leaveCluster(Resource& instance, const EngineLayout& layout,
                                                              ReconcileContext& ctx) {
  const std::string clusterArn = instance.spec.value("ClusterArn", "");
  auto cluster = ctx.catalog().getResourceByArn(clusterArn);
  if (!cluster) return std::nullopt;
  std::vector<Resource> others;
  for (Resource& member : clusterMembers(ctx.catalog(), *cluster)) {
    if (member.arn != instance.arn) others.push_back(std::move(member));
  }
  if (!isClusterWriter(*cluster, instance)) {
    if (auto routed = endpoints_.route(*cluster, others, customEndpointsOf(ctx.catalog(), cluster->arn)); !routed) {
      ctx.note(routed.error().message);
    }
    return std::nullopt;
  }
  bool readerLeft = std::any_of(others.begin(), others.end(), [&](const Resource& member) {
    return member.status == kAvailable && followsWriter(*cluster, member);
  });
  if (readerLeft || cluster->status == kFailingOver) {
    // As Aurora does: a reader becomes the writer before this one goes.
    if (cluster->status == kAvailable) {
      auto asked = updateCluster(ctx.catalog(), clusterArn, [&](Resource& c) {
        if (c.status != kAvailable) return;
        c.status = kFailingOver;
        c.goal = kAvailable;
        c.state["FailoverPlanned"] = true;
        c.state["FailoverAway"] = instance.arn;
      });
      if (asked) ctx.requestRescan();
    }
    ctx.note("waiting for the cluster to fail over to a reader");
    return StepOutcome::retryAfter(milliseconds(500));
  }
  if (instance.state.value("VolumeSaved", false)) return std::nullopt;
  // The last instance: the cluster keeps its data (a backup of this writer,
  // taken once no client reaches it through the cluster endpoint).
  endpoints_.remove(*cluster);
  if (!engine_.running(layout)) {
    if (auto started = engine_.start(layout); !started) {
      ctx.emitEvent("The cluster's data could not be kept: " + started.error().message, {"failure"});
      instance.state["VolumeSaved"] = true;
      return std::nullopt;
    }
  }
  fs::path volume = paths_.clusterVolume(*cluster);
  fs::path staging = volume;
  staging += ".partial";
  fs::path plain = volume;
  plain += ".plain";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::remove_all(plain, ec);
  fs::create_directories(volume.parent_path(), ec);
  bool encrypted = cluster->spec.value("StorageEncrypted", false);
  auto backup = engine_.backup(layout, encrypted ? plain : staging);
  if (!backup) return failStep(instance, ctx, backup.error(), kFailed);
  if (encrypted) {
    auto sealed = kms::sealTree(keys_, {cluster->accountId, cluster->region},
                                cluster->spec.value("KmsKeyId", "alias/aws/rds"),
                                {{"aws:rds:dbi-resource-id", walArchiveId(instance)}}, plain, staging);
    fs::remove_all(plain, ec);
    if (!sealed) return failStep(instance, ctx, sealed.error(), kFailed);
  }
  fs::remove_all(volume, ec);
  fs::rename(staging, volume, ec);
  if (ec) return failStep(instance, ctx, ApiError::internal("cannot keep the cluster's data: " + ec.message()), kFailed);
  // On disk before the cluster counts on it (its last instance is removed next).
  if (auto error = syncTree(volume); !error.empty()) return failStep(instance, ctx, ApiError::internal(error), kFailed);
  auto kept = updateCluster(ctx.catalog(), clusterArn, [&](Resource& c) {
    c.state["HasVolume"] = true;
    c.state["Writer"] = "";
  });
  if (!kept) return failStep(instance, ctx, kept.error(), kFailed);
  spdlog::info("msg=\"cluster data kept\" cluster={} from={}", cluster->name, instance.name);
  instance.state["VolumeSaved"] = true;
  return StepOutcome::progress();
}

}  // namespace kura::rds
