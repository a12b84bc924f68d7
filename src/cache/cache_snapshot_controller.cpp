#include "cache/cache_snapshot_controller.h"

#include "cache/cluster_mode.h"
#include "cache/cluster_snapshot.h"

#include "common/durable_tree.h"
#include "common/time_format.h"
#include "kms/tree_envelope.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

using namespace elasticache;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr int kMaxAttempts = 5;

}  // namespace

std::string CacheSnapshotController::kind() const { return kSnapshot; }

void CacheSnapshotController::clusterEvent(const Resource& snapshot, ReconcileContext& ctx,
                                           const std::string& message, const std::string& category) {
  Event event;
  event.accountId = snapshot.accountId;
  event.region = snapshot.region;
  bool ofGroup = snapshot.spec.contains("ReplicationGroupId");
  event.sourceType = ofGroup ? kReplicationGroup : kCluster;
  event.sourceId = snapshot.spec.value(ofGroup ? "ReplicationGroupId" : "CacheClusterId", "");
  event.sourceArn = snapshot.spec.value("SourceClusterArn", "");
  event.message = message;
  event.categories = {category};
  ctx.catalog().addEvent(std::move(event));
}

StepOutcome CacheSnapshotController::fail(Resource& snapshot, ReconcileContext& ctx, const std::string& why) {
  int attempts = snapshot.state.value("Attempts", 0) + 1;
  snapshot.state["Attempts"] = attempts;
  snapshot.state["LastError"] = why;
  ctx.note(why);
  if (attempts < kMaxAttempts) return StepOutcome::retryAfter(milliseconds(300 * attempts));
  std::error_code ec;
  fs::remove_all(paths_.snapshotDir(snapshot), ec);
  snapshot.status = kFailed;
  clusterEvent(snapshot, ctx, "Snapshot failed for snapshot with ID '" + snapshot.name + "': " + why, "failure");
  return StepOutcome::failed();
}

StepOutcome CacheSnapshotController::step(Resource& snapshot, ReconcileContext& ctx) {
  if (snapshot.status == kCreating) {
    return snapshot.spec.contains("CopyFromSnapshotArn") ? copy(snapshot, ctx) : create(snapshot, ctx);
  }
  if (snapshot.status == kDeleting) {
    std::error_code ec;
    fs::remove_all(paths_.snapshotDir(snapshot), ec);
    if (ec) return fail(snapshot, ctx, "cannot remove the snapshot's files: " + ec.message());
    snapshot.status = kDeleted;
    return StepOutcome::done();
  }
  ctx.note("no step from " + snapshot.status + " to " + snapshot.goal);
  return StepOutcome::failed();
}

StepOutcome CacheSnapshotController::copy(Resource& snapshot, ReconcileContext& ctx) {
  fs::path dir = paths_.snapshotDir(snapshot);
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  auto source = ctx.catalog().getResourceByArn(snapshot.spec["CopyFromSnapshotArn"]);
  if (!source || source->status != kAvailable) return fail(snapshot, ctx, "the source snapshot is not available");
  fs::path staging = dir;
  staging += ".copying";
  fs::remove_all(staging, ec);
  fs::remove_all(dir, ec);
  fs::copy(paths_.snapshotDir(*source), staging, fs::copy_options::recursive, ec);
  if (!ec) fs::rename(staging, dir, ec);
  if (ec) return fail(snapshot, ctx, "cannot copy the snapshot: " + ec.message());
  // On disk before it is shown available.
  if (auto error = syncTree(dir); !error.empty()) return fail(snapshot, ctx, error);
  snapshot.state = source->state;
  snapshot.state.erase("Attempts");
  snapshot.status = kAvailable;
  return StepOutcome::done();
}

StepOutcome CacheSnapshotController::create(Resource& snapshot, ReconcileContext& ctx) {
  fs::path dir = paths_.snapshotDir(snapshot);
  std::error_code ec;
  fs::remove_all(dir, ec);  // what a crashed attempt left
  fs::path plain = dir;
  plain += ".plain";  // the image before it is sealed
  fs::remove_all(plain, ec);
  fs::create_directories(dir.parent_path(), ec);
  // The source: a cache cluster, or a replication group (its primary).
  auto cluster = ctx.catalog().getResourceByArn(snapshot.spec.value("SourceClusterArn", ""));
  if (!cluster || cluster->status == kDeleted) return fail(snapshot, ctx, "the source cache cluster is gone");
  bool sharded = ClusterModeGroups::enabled(*cluster);
  engines::RedisLayout layout = sharded ? engines::RedisLayout{} : sourceLayout(*cluster, paths_);
  if (!sharded && !engine_.running(layout)) {
    // The supervisor restarts an available cluster's server (after a crash
    // of Kura, say): wait for it rather than fail.
    if (cluster->status == kAvailable || cluster->status == kDeleting || cluster->status == kModifying) {
      return StepOutcome::retryAfter(milliseconds(500));
    }
    return fail(snapshot, ctx, "the source cache cluster is not running");
  }
  std::string keyId = snapshot.spec.value("KmsKeyId", "");
  // A cluster-mode group's: one image per node group (cluster_snapshot.h).
  auto image = sharded ? backupClusterShards(engine_, paths_, *cluster, keyId.empty() ? dir : plain)
                       : engine_.backup(layout, keyId.empty() ? dir : plain);
  if (!image) return fail(snapshot, ctx, image.error().message);
  if (!keyId.empty()) {
    // Envelope encryption under the snapshot's KMS key; the context ties the
    // data key to the snapshot.
    auto sealed = kms::sealTree(keys_, {snapshot.accountId, snapshot.region}, keyId,
                                {{"aws:elasticache:snapshot", snapshot.arn}}, plain, dir);
    fs::remove_all(plain, ec);
    if (!sealed) return fail(snapshot, ctx, "cannot encrypt the snapshot: " + sealed.error().message);
  }
  // On disk before it is shown available.
  if (auto error = syncTree(dir); !error.empty()) return fail(snapshot, ctx, error);
  snapshot.state["SnapshotCreateTime"] = toEpochSeconds(image->time);
  snapshot.state["Bytes"] = image->bytes;
  snapshot.state.erase("Attempts");
  snapshot.state.erase("LastError");
  snapshot.status = kAvailable;
  clusterEvent(snapshot, ctx,
               "Snapshot succeeded for snapshot with ID '" + snapshot.name + "' of " +
                   (cluster->kind == kReplicationGroup ? "replication group" : "cache cluster") + " with ID '" +
                   cluster->name + "'",
               "snapshot");
  return StepOutcome::done();
}

}  // namespace kura::cache
