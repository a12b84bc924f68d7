#include "rds/db_snapshot_controller.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/durable_tree.h"
#include "common/progress_board.h"
#include "common/tree_size.h"
#include "common/time_format.h"
#include "kms/tree_envelope.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr int kMaxAttempts = 5;

// A copy made by Kura belongs to Kura's user: each file gets back the owner
// of its original, so that the engine user can still read it for a restore.
void keepOwners(const fs::path& from, const fs::path& copy) {
  auto own = [](const fs::path& original, const fs::path& made) {
    struct stat info {};
    if (::lstat(original.c_str(), &info) == 0) (void)::lchown(made.c_str(), info.st_uid, info.st_gid);
  };
  own(from, copy);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(copy, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    own(from / fs::relative(it->path(), copy), it->path());
  }
}

}  // namespace

std::string DbSnapshotController::kind() const { return kind_; }

StepOutcome DbSnapshotController::copyFiles(Resource& snapshot, ReconcileContext& ctx, const fs::path& from,
                                            double createTime, uint64_t bytes) {
  fs::path dir = paths_.snapshotDir(snapshot);
  fs::path staging = dir;
  staging += ".copying";
  std::error_code ec;
  fs::remove_all(staging, ec);
  // The source is the engine's (a cluster's volume): a link in it is copied
  // as a link, never followed (Kura would copy what it points to).
  {
    // PercentProgress while it copies: the bytes copied against the source's.
    double sourceBytes = bytesBelow(from);
    ProgressWatch progress(snapshot.arn, [&]() -> std::optional<double> {
      if (sourceBytes <= 0) return std::nullopt;
      return bytesBelow(staging) / sourceBytes;
    });
    fs::copy(from, staging, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  }
  if (!ec) keepOwners(from, staging);
  if (!ec) fs::rename(staging, dir, ec);
  if (ec) return fail(snapshot, ctx, "cannot copy the snapshot: " + ec.message());
  // On disk before it is shown available.
  if (auto error = syncTree(dir); !error.empty()) return fail(snapshot, ctx, error);
  snapshot.state["SnapshotCreateTime"] = createTime;
  snapshot.state["Bytes"] = bytes;
  snapshot.state["PercentProgress"] = 100;
  snapshot.status = kAvailable;
  return StepOutcome::done();
}

StepOutcome DbSnapshotController::sealCopy(Resource& snapshot, ReconcileContext& ctx, const Resource& source) {
  // The source's files, opened (or copied, if plain) beside the copy, then
  // sealed under the copy's key: what the copy holds opens with that key
  // alone. The plain files never outlive the step.
  fs::path dir = paths_.snapshotDir(snapshot);
  fs::path plain = dir;
  plain += ".plain";
  std::error_code ec;
  fs::remove_all(plain, ec);
  fs::path from = paths_.snapshotDir(source);
  if (kms::isSealedTree(from)) {
    if (auto opened = kms::openTree(keys_, {source.accountId, source.region}, from, plain); !opened) {
      fs::remove_all(plain, ec);
      return fail(snapshot, ctx, "the source snapshot's KMS key cannot open it: " + opened.error().message);
    }
  } else {
    fs::copy(from, plain, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    if (ec) {
      fs::remove_all(plain, ec);
      return fail(snapshot, ctx, "cannot copy the snapshot: " + ec.message());
    }
  }
  std::string resource = snapshot.spec.value("DbiResourceId", snapshot.spec.value("DbClusterResourceId", ""));
  auto sealed = kms::sealTree(keys_, {snapshot.accountId, snapshot.region}, snapshot.spec.value("SealCopyUnder", ""),
                              {{"aws:rds:dbi-resource-id", resource}}, plain, dir);
  fs::remove_all(plain, ec);
  if (!sealed) return fail(snapshot, ctx, "cannot encrypt the copy: " + sealed.error().message);
  if (auto error = syncTree(dir); !error.empty()) return fail(snapshot, ctx, error);  // on disk before available
  snapshot.state["SnapshotCreateTime"] = source.state.value("SnapshotCreateTime", toEpochSeconds(ctx.now()));
  snapshot.state["Bytes"] = source.state.value("Bytes", uint64_t{0});
  snapshot.state["PercentProgress"] = 100;
  snapshot.state.erase("Attempts");
  snapshot.state.erase("LastError");
  snapshot.status = kAvailable;
  ctx.emitEvent("Finished copy of snapshot " + source.name, {"creation"});
  return StepOutcome::done();
}

StepOutcome DbSnapshotController::fail(Resource& snapshot, ReconcileContext& ctx, const std::string& why) {
  int attempts = snapshot.state.value("Attempts", 0) + 1;
  snapshot.state["Attempts"] = attempts;
  snapshot.state["LastError"] = why;
  ctx.note(why);
  if (attempts < kMaxAttempts) return StepOutcome::retryAfter(milliseconds(300 * attempts));
  std::error_code ec;
  fs::remove_all(paths_.snapshotDir(snapshot), ec);
  snapshot.status = kFailed;
  ctx.emitEvent("Snapshot failed: " + why, {"failure"});
  return StepOutcome::failed();
}

StepOutcome DbSnapshotController::step(Resource& snapshot, ReconcileContext& ctx) {
  if (snapshot.status == kCreating) return create(snapshot, ctx);
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

StepOutcome DbSnapshotController::create(Resource& snapshot, ReconcileContext& ctx) {
  fs::path dir = paths_.snapshotDir(snapshot);
  std::error_code ec;
  fs::remove_all(dir, ec);  // what a crashed attempt left
  fs::path leftover = dir;
  leftover += ".plain";
  fs::remove_all(leftover, ec);
  fs::create_directories(dir.parent_path(), ec);
  std::string copyFrom = snapshot.spec.value("CopyFromSnapshotArn", "");
  if (!copyFrom.empty()) {
    auto source = ctx.catalog().getResourceByArn(copyFrom);
    if (!source || source->status != kAvailable) return fail(snapshot, ctx, "the source snapshot is not available");
    if (snapshot.spec.contains("SealCopyUnder")) return sealCopy(snapshot, ctx, *source);
    StepOutcome copied = copyFiles(snapshot, ctx, paths_.snapshotDir(*source),
                                   source->state.value("SnapshotCreateTime", toEpochSeconds(ctx.now())),
                                   source->state.value("Bytes", uint64_t{0}));
    if (snapshot.status == kAvailable) ctx.emitEvent("Finished copy of snapshot " + source->name, {"creation"});
    return copied;
  }
  std::string sourceArn = snapshot.spec.value("SourceInstanceArn", "");
  if (snapshot.kind == kClusterSnapshot) {
    // A cluster's data: its writer's, or the volume its last writer left.
    auto cluster = ctx.catalog().getResourceByArn(snapshot.spec.value("SourceClusterArn", ""));
    if (!cluster) return fail(snapshot, ctx, "the source cluster is gone");
    sourceArn = cluster->state.value("Writer", "");
    if (sourceArn.empty()) {
      if (!cluster->state.value("HasVolume", false)) return fail(snapshot, ctx, "the cluster holds no data yet");
      StepOutcome copied = copyFiles(snapshot, ctx, paths_.clusterVolume(*cluster), toEpochSeconds(ctx.now()), 0);
      if (snapshot.status == kAvailable) ctx.emitEvent("Manual cluster snapshot created", {"creation"});
      return copied;
    }
  }
  auto instance = ctx.catalog().getResourceByArn(sourceArn);
  if (!instance) return fail(snapshot, ctx, "the source instance is gone");
  auto layout = layoutOf(*instance, paths_, secrets_);
  if (!layout) return fail(snapshot, ctx, layout.error().message);
  if (!engine_.running(*layout)) {
    // The supervisor restarts an available instance's engine (after a crash
    // of Kura, say): wait for it rather than fail.
    if (instance->status == kAvailable || instance->status == kBackingUp) return StepOutcome::retryAfter(milliseconds(500));
    return fail(snapshot, ctx, "the source instance is not running");
  }
  bool encrypted = instance->spec.value("StorageEncrypted", false);
  fs::path plain = dir;
  plain += ".plain";  // an encrypted instance's backup, before it is sealed
  fs::remove_all(plain, ec);
  fs::path target = encrypted ? plain : dir;
  auto backup = [&] {
    // PercentProgress while the backup runs: the engine's own count of the
    // bytes it copied (PostgreSQL's), else the bytes written against the
    // instance's files (MariaDB's backup copies them as they are).
    double sourceBytes = -1;  // the watch's thread alone touches it
    ProgressWatch progress(snapshot.arn, [&]() -> std::optional<double> {
      if (auto copied = engine_.backupProgress(*layout)) {
        return static_cast<double>(copied->first) / static_cast<double>(copied->second);
      }
      if (sourceBytes < 0) sourceBytes = bytesBelow(layout->dir);
      if (sourceBytes <= 0) return std::nullopt;
      return bytesBelow(target) / sourceBytes;
    });
    return engine_.backup(*layout, target);
  }();
  if (!backup) return fail(snapshot, ctx, backup.error().message);
  if (encrypted) {
    // Envelope encryption under the instance's KMS key; the context ties the
    // data key to the instance the backup came from.
    auto sealed = kms::sealTree(keys_, {instance->accountId, instance->region},
                                instance->spec.value("KmsKeyId", "alias/aws/rds"),
                                {{"aws:rds:dbi-resource-id", instance->spec.value("DbiResourceId", "")}}, plain, dir);
    fs::remove_all(plain, ec);
    if (!sealed) return fail(snapshot, ctx, "cannot encrypt the snapshot: " + sealed.error().message);
  }
  // On disk before it is shown available.
  if (auto error = syncTree(dir); !error.empty()) return fail(snapshot, ctx, error);
  snapshot.state["SnapshotCreateTime"] = toEpochSeconds(backup->startTime);
  snapshot.state["Bytes"] = backup->bytes;
  snapshot.state["PercentProgress"] = 100;
  snapshot.state.erase("Attempts");
  snapshot.state.erase("LastError");
  snapshot.status = kAvailable;
  bool manual = snapshot.spec.value("SnapshotType", "manual") == "manual";
  const char* what = snapshot.kind == kClusterSnapshot ? (manual ? "Manual cluster snapshot created" : "Automated cluster snapshot created")
                                                      : (manual ? "Manual snapshot created" : "Automated snapshot created");
  ctx.emitEvent(what, {"creation"});
  return StepOutcome::done();
}

}  // namespace kura::rds
