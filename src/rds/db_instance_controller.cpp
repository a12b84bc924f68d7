#include "rds/db_instance_controller.h"

#include "kms/tree_envelope.h"

#include <fmt/format.h>

#include <ctime>

#include "catalog/arn.h"
#include "common/crash_point.h"
#include "common/durable_tree.h"
#include "common/time_format.h"
#include "engines/engine_process.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"
#include "services/rds/retained_backups.h"

namespace kura::rds {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;

constexpr int kMaxStartAttempts = 5;

SystemTime fromEpoch(double seconds) {
  return SystemTime(milliseconds(static_cast<long long>(seconds * 1000)));
}

}  // namespace

std::string automatedSnapshotName(const std::string& instance, SystemTime at) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("rds:{}-{:04}-{:02}-{:02}-{:02}-{:02}", instance, utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min);
}

std::string DbInstanceController::kind() const { return kInstance; }

StepOutcome DbInstanceController::failStep(Resource& instance, ReconcileContext& ctx, const ApiError& error,
                                           const char* status) {
  ctx.note(error.message);
  instance.state["LastError"] = error.message;
  int attempts = instance.state.value("Attempts", 0) + 1;
  instance.state["Attempts"] = attempts;
  // An engine that fails to start may be waiting on something passing: try a
  // few times before giving up. A restore that cannot work fails at once.
  if (std::string(status) == kFailed && attempts < kMaxStartAttempts) {
    return StepOutcome::retryAfter(milliseconds(500 * attempts));
  }
  instance.status = status;
  instance.state["LastError"] = error.message;
  ctx.emitEvent(std::string("DB instance failed: ") + error.message, {"failure"});
  return StepOutcome::failed();
}

bool DbInstanceController::heldByCopy(const Resource& instance, ReconcileContext& ctx) {
  if (copies_ == nullptr) return false;
  // A copy starts only for an available instance (it rereads the record
  // when it starts), so one that is not busy now will not start under this
  // step. One under way would go on writing the files a deletion removes,
  // start a server a stop stopped, or leave a promoted replica streaming
  // from its source again. A deletion cuts it short; so does a stop of a
  // Multi-AZ instance, whose start builds its standby again. A read
  // replica's or reader's copy replaces its only server's files: cut
  // short, they would not start again, so its stop waits too.
  const bool cut = instance.status == kDeleting || (instance.status == kStopping && isMultiAz(instance));
  if (cut ? !copies_->cancel(instance.arn) : copies_->busy(instance.arn)) return true;
  // A copy that ended after this step's record was read wrote its result
  // (a standby ready, a reader's new upstream): the step starts again from
  // it, not from the record before, which the step's own write would put back.
  auto now = ctx.catalog().getResourceByArn(instance.arn);
  return now.ok() && now->version != instance.version;
}

StepOutcome DbInstanceController::step(Resource& instance, ReconcileContext& ctx) {
  // Nothing noted: a wait changes nothing, and the reconciler then writes nothing.
  if (heldByCopy(instance, ctx)) return StepOutcome::retryAfter(milliseconds(250));
  auto layout = layoutOf(instance, paths_, secrets_);
  if (!layout) return failStep(instance, ctx, layout.error(), kFailed);
  const std::string status = instance.status;
  if (status == kCreating) return create(instance, *layout, ctx);
  if (status == kBackingUp) return backUp(instance, *layout, ctx);
  if (status == kDeleting) return remove(instance, *layout, ctx);
  if (status == kRebooting && instance.state.value("SystemUpdating", false) && isMultiAz(instance) &&
      !instance.state.value("FailoverRequested", false)) {
    // A system update of a Multi-AZ instance (system_update.cpp): its
    // standby restarts on the installed executable, then takes over (the
    // failover waits for it to stream synchronously again; the old primary
    // is rebuilt as the new standby, on the installed executable too).
    if (auto restarted = multiAz_.restartStandby(instance); !restarted) {
      // Not applied: the instance serves on as it was (the supervisor
      // builds the standby again), the update still pending.
      instance.state.erase("SystemUpdating");
      instance.state.erase("SystemUpdateOptIn");  // not tried again by itself: asked for again
      if (instance.state.contains("SystemUpdate")) instance.state["SystemUpdate"]["AutoApplyFailed"] = true;
      instance.status = kAvailable;
      ctx.emitEvent("The system update could not be applied: the standby did not start again: " +
                        restarted.error().message,
                    {"maintenance"});
      return StepOutcome::done();
    }
    finishSystemUpdate(instance, ctx);
    instance.state["FailoverRequested"] = true;
    return StepOutcome::progress();
  }
  if (status == kRebooting && instance.state.value("FailoverRequested", false)) return failOver(instance, ctx);
  if (status == kRebooting) {
    if (auto stopped = engine_.stop(*layout); !stopped) return failStep(instance, ctx, stopped.error(), kFailed);
    if (auto started = engine_.start(*layout); !started) return failStep(instance, ctx, started.error(), kFailed);
    noteStarted(instance);
    instance.status = kAvailable;
    ctx.emitEvent("DB instance restarted", {"availability"});
    if (instance.state.value("SystemUpdating", false)) finishSystemUpdate(instance, ctx);
    return StepOutcome::done();
  }
  if (status == kModifying && instance.state.contains("MultiAzConversion")) return convertMultiAz(instance, ctx);
  if (status == kModifying && instance.state.value("PromotionRequested", false)) {
    if (auto promoted = engine_.promote(*layout); !promoted) return failStep(instance, ctx, promoted.error(), kFailed);
    ctx.emitEvent("Promoted Read Replica to a stand-alone database instance", {"read replica"});
    instance.state["Promoted"] = true;  // no longer a replica (the spec keeps where it came from)
    instance.state.erase("PromotionRequested");
    // Its own backups start now.
    if (instance.spec.value("BackupRetentionPeriod", 0) > 0) {
      instance.status = kBackingUp;
      return StepOutcome::progress();
    }
    instance.status = kAvailable;
    return StepOutcome::done();
  }
  if (status == kModifying) {
    int wanted = instance.spec.value("PasswordGeneration", 0);
    if (instance.state.value("AppliedPasswordGeneration", 0) != wanted) {
      if (auto changed = engine_.setMasterPassword(*layout); !changed) {
        return failStep(instance, ctx, changed.error(), kFailed);
      }
      instance.state["AppliedPasswordGeneration"] = wanted;
      ctx.emitEvent("Reset master credentials", {"configuration change"});
    }
    instance.state.erase("PendingModifiedValues");
    instance.status = kAvailable;
    return StepOutcome::done();
  }
  if (status == kStopping) {
    auto stopped = isMultiAz(instance) ? multiAz_.stopBoth(instance) : engine_.stop(*layout);
    if (!stopped) return failStep(instance, ctx, stopped.error(), kFailed);
    if (!isMultiAz(instance) && isBehindProxy(instance)) multiAz_.forget(instance);  // a stopped instance is not reached
    instance.status = kStopped;
    instance.state["StoppedAt"] = toEpochSeconds(ctx.now());  // its AutomaticRestartTime counts from here
    instance.state.erase("Attempts");
    ctx.emitEvent("DB instance stopped", {"notification"});
    return StepOutcome::done();
  }
  if (status == kStarting) {
    if (auto started = engine_.start(*layout); !started) return failStep(instance, ctx, started.error(), kFailed);
    if (isMultiAz(instance)) {
      if (auto standby = multiAz_.startStandby(instance); !standby) instance.state["StandbyReady"] = false;
      if (auto ready = multiAz_.ensureStandby(instance); !ready) return failStep(instance, ctx, ready.error(), kFailed);
      if (auto routed = multiAz_.route(instance); !routed) return failStep(instance, ctx, routed.error(), kFailed);
    } else if (isBehindProxy(instance)) {
      if (auto routed = multiAz_.route(instance); !routed) return failStep(instance, ctx, routed.error(), kFailed);
    }
    noteStarted(instance);
    instance.state.erase("StoppedAt");
    instance.status = kAvailable;
    ctx.emitEvent("DB instance started", {"notification"});
    return StepOutcome::done();
  }
  // A status this controller does not drive towards the goal: settle on it.
  ctx.note("no step from " + status + " to " + instance.goal);
  return StepOutcome::failed();
}

Result<bool> DbInstanceController::restoreFrom(const Resource& instance, const Resource& snapshot,
                                              const EngineLayout& layout, std::optional<SystemTime> until,
                                              const std::filesystem::path& walArchive) {
  return restoreFiles(instance, paths_.snapshotDir(snapshot), {snapshot.accountId, snapshot.region}, layout, until,
                      walArchive);
}

Result<bool> DbInstanceController::restoreFiles(const Resource& instance, const std::filesystem::path& files,
                                               const kms::Place& place, const EngineLayout& layout,
                                               std::optional<SystemTime> until,
                                               const std::filesystem::path& walArchive) {
  // What is opened here the engine reads (its tools run as its user), and
  // Kura's umask 077 made it Kura's alone: it is given to the engine user.
  auto shareWithEngine = [&](const std::filesystem::path& opened) { return engine_.share(layout, opened); };
  std::filesystem::path archive = walArchive;
  if (!walArchive.empty() && kms::isSealedTree(walArchive)) {
    // A sealed WAL archive is opened for the replay, and removed once the
    // instance has started (create() below).
    archive = paths_.instanceDir(instance);
    archive += ".opened-wal";
    std::error_code ec;
    std::filesystem::remove_all(archive, ec);
    auto opened = kms::openTree(keys_, {instance.accountId, instance.region}, walArchive, archive);
    if (!opened) {
      return ApiError::sender("KMSKeyNotAccessibleFault", "The WAL archive's KMS key cannot open it: " +
                                                              opened.error().message);
    }
    if (auto shared = shareWithEngine(archive); !shared) return shared;
  }
  if (!kms::isSealedTree(files)) return syncRestored(engine_.restore(files, layout, until, archive), layout);
  // A sealed snapshot is opened beside the new instance, restored, and the
  // opened copy removed: plaintext backup files never outlive the restore.
  std::filesystem::path opened = paths_.instanceDir(instance);
  opened += ".opened-snapshot";
  std::error_code ec;
  std::filesystem::remove_all(opened, ec);
  auto open = kms::openTree(keys_, place, files, opened);
  Result<bool> made = open ? shareWithEngine(opened) : Result<bool>(open.error());
  if (made) made = engine_.restore(opened, layout, until, archive);
  std::filesystem::remove_all(opened, ec);
  if (!open) {
    return ApiError::sender("KMSKeyNotAccessibleFault",
                            "The snapshot's KMS key cannot open it: " + open.error().message);
  }
  return syncRestored(made, layout);
}

Result<bool> DbInstanceController::syncRestored(Result<bool> restored, const EngineLayout& layout) {
  // The restored files are on disk before the step is recorded done, and
  // so before the instance is ever shown available: a power loss after that
  // never finds a torn copy that no step would make again. (MariaDB's
  // point-in-time replay ran inside the restore and is synced with it;
  // PostgreSQL's replays at its first start, which ends recovery with a
  // checkpoint before it takes writes.)
  if (!restored) return restored;
  if (auto error = syncTree(layout.dir); !error.empty()) return ApiError::internal(error);
  return restored;
}

StepOutcome DbInstanceController::failOver(Resource& instance, ReconcileContext& ctx) {
  // Planned (RebootDBInstance --force-failover): the primary stops cleanly,
  // which hands every commit to the synchronous standby first.
  if (!instance.state.value("FailoverStarted", false)) {
    // Only to a standby that has every commit: one being rebuilt (after an
    // earlier failover) is made ready first.
    if (!instance.state.value("StandbyReady", false)) {
      if (auto ready = multiAz_.ensureStandby(instance); !ready) return failStep(instance, ctx, ready.error(), kFailed);
      return StepOutcome::progress();
    }
    ctx.emitEvent("Multi-AZ instance failover started.", {"failover"});
    instance.state["FailoverStarted"] = true;
    if (auto switched = multiAz_.fenceAndSwitch(instance, true); !switched) {
      return failStep(instance, ctx, switched.error(), kFailed);
    }
    return StepOutcome::progress();  // the new primary is recorded before it is promoted
  }
  if (auto promoted = multiAz_.promoteAndRoute(instance); !promoted) {
    return failStep(instance, ctx, promoted.error(), kFailed);
  }
  if (auto ready = multiAz_.ensureStandby(instance); !ready) return failStep(instance, ctx, ready.error(), kFailed);
  instance.state.erase("FailoverRequested");
  instance.state.erase("FailoverStarted");
  instance.state["EventedPrimary"] = instance.state["Primary"];
  instance.status = kAvailable;
  ctx.emitEvent("Multi-AZ instance failover completed.", {"failover"});
  return StepOutcome::done();
}

void DbInstanceController::finishSystemUpdate(Resource& instance, ReconcileContext& ctx) {
  instance.state.erase("SystemUpdating");
  instance.state.erase("SystemUpdate");  // noted again by the supervisor if a server still runs an older one
  instance.state.erase("SystemUpdateOptIn");
  ctx.emitEvent("Applied the system update: the database server runs the installed executable", {"maintenance"});
}

void DbInstanceController::noteStarted(Resource& instance) {
  // What a start put in effect: static parameters change only at the next one.
  Json statics = Json::object();
  const Json parameters = instance.state.value("Parameters", Json::object());
  for (const auto& [name, parameter] : parameters.items()) {
    if (parameter.value("static", false)) statics[name] = parameter["value"];
  }
  instance.state["StaticParametersAtStart"] = statics;
  instance.state["StartedParameterGroup"] = instance.state.value("AppliedParameterGroup", "");
  // A start that succeeded ends the count of failed ones: a later failure
  // gets its own attempts.
  instance.state.erase("Attempts");
  instance.state.erase("LastError");
  instance.state["ParameterApplyStatus"] = "in-sync";
}

StepOutcome DbInstanceController::create(Resource& instance, const EngineLayout& layout, ReconcileContext& ctx) {
  if (!instance.state.value("FilesReady", false) && isClusterMember(instance)) {
    return makeMemberFiles(instance, layout, ctx);
  }
  if (!instance.state.value("FilesReady", false) && isReadReplica(instance)) {
    return makeReplicaFiles(instance, layout, ctx);
  }
  if (!instance.state.value("FilesReady", false)) {
    const Json source = instance.spec.value("RestoreSource", Json());
    Result<bool> made = true;
    if (source.contains("SnapshotArn")) {
      auto snapshot = ctx.catalog().getResourceByArn(source["SnapshotArn"]);
      if (!snapshot || snapshot->status != kAvailable) {
        return failStep(instance, ctx, ApiError::internal("the snapshot to restore from is gone"), kIncompatibleRestore);
      }
      made = restoreFrom(instance, *snapshot, layout, std::nullopt, {});
      if (!made) return failStep(instance, ctx, made.error(), kIncompatibleRestore);
    } else if (source.contains("SourceInstanceArn")) {
      // The source instance, or the record of the backups it kept when it
      // was deleted (retained_backups.h): its ARN and DbiResourceId.
      // (The kept backups first: a live instance may have the same ARN,
      // its name taken again.)
      std::optional<Resource> sourceInstance;
      if (source.contains("RetainedBackupArn")) {
        if (auto kept = ctx.catalog().getResourceByArn(source["RetainedBackupArn"])) {
          sourceInstance = *kept;
          sourceInstance->arn = kept->spec.value("DBInstanceArn", "");
        }
      } else if (auto live = ctx.catalog().getResourceByArn(source["SourceInstanceArn"])) {
        sourceInstance = *live;
      }
      if (!sourceInstance) {
        return failStep(instance, ctx, ApiError::internal("the source instance is gone"), kIncompatibleRestore);
      }
      SystemTime target = fromEpoch(source["RestoreTime"].get<double>());
      // The newest backup of the source taken at or before the target time.
      std::optional<Resource> base;
      for (const Resource& snapshot : ctx.catalog().listAllOfKind(kSnapshot)) {
        if (snapshot.status != kAvailable || !isSnapshotOf(snapshot, *sourceInstance) ||
            snapshot.spec.contains("CopyFromSnapshotArn") || !snapshot.state.contains("SnapshotCreateTime")) {
          continue;
        }
        double taken = snapshot.state["SnapshotCreateTime"];
        if (fromEpoch(taken) > target) continue;
        if (!base || taken > base->state["SnapshotCreateTime"].get<double>()) base = snapshot;
      }
      if (!base) {
        return failStep(instance, ctx, ApiError::internal("no backup of the source precedes the restore time"),
                        kIncompatibleRestore);
      }
      std::optional<SystemTime> until = target;
      if (source.value("UseLatest", false)) until = std::nullopt;
      made = restoreFrom(instance, *base, layout, until,
                         paths_.walArchive(sourceInstance->spec.value("DbiResourceId", "")));
      if (!made) return failStep(instance, ctx, made.error(), kIncompatibleRestore);
    } else {
      made = engine_.create(layout);
      if (!made) return failStep(instance, ctx, made.error(), kFailed);
    }
    instance.state["FilesReady"] = true;
    return StepOutcome::progress();
  }
  // A restore's files are in place and recorded, its replay not begun:
  // the replay reads the archive as the restore listed it, whatever the
  // source archived since (test_rds_postgres_pitr_frozen_archive.py).
  if (instance.spec.contains("RestoreSource")) crashPoint("rds-restore-before-replay");
  if (auto started = engine_.start(layout); !started) return failStep(instance, ctx, started.error(), kFailed);
  {
    // Recovery is over: an opened copy of a sealed WAL archive goes.
    std::filesystem::path openedWal = paths_.instanceDir(instance);
    openedWal += ".opened-wal";
    std::error_code ec;
    std::filesystem::remove_all(openedWal, ec);
  }
  if (isClusterMember(instance)) joinCluster(instance, ctx);
  if (isMultiAz(instance)) {
    // The standby in the other zone, then the endpoint.
    if (auto ready = multiAz_.ensureStandby(instance); !ready) return failStep(instance, ctx, ready.error(), kFailed);
  }
  if (isBehindProxy(instance)) {
    if (auto routed = multiAz_.route(instance); !routed) return failStep(instance, ctx, routed.error(), kFailed);
  }
  noteStarted(instance);
  if (instance.spec.value("BackupRetentionPeriod", 0) > 0) {
    instance.status = kBackingUp;
    ctx.emitEvent("Backing up DB instance", {"backup"});
    return StepOutcome::progress();
  }
  instance.status = kAvailable;
  ctx.emitEvent("DB instance created", {"creation"});
  return StepOutcome::done();
}

StepOutcome DbInstanceController::backUp(Resource& instance, const EngineLayout& layout, ReconcileContext& ctx) {
  SystemTime now = ctx.now();
  // The name is fixed before the snapshot is recorded, so that a step taken
  // again after a crash finds the same snapshot instead of making another.
  if (!instance.state.contains("PendingBackup")) {
    instance.state["PendingBackup"] = automatedSnapshotName(instance.name, now);
    return StepOutcome::progress();
  }
  Resource snapshot;
  snapshot.accountId = instance.accountId;
  snapshot.region = instance.region;
  snapshot.service = kService;
  snapshot.kind = kSnapshot;
  snapshot.name = instance.state["PendingBackup"].get<std::string>();
  snapshot.arn = makeArn("rds", instance.region, instance.accountId, "snapshot:" + snapshot.name);
  snapshot.status = kCreating;
  snapshot.goal = kAvailable;
  snapshot.spec = {{"DBSnapshotIdentifier", snapshot.name}, {"DBInstanceIdentifier", instance.name},
                   {"SourceInstanceArn", instance.arn}, {"SnapshotType", "automated"},
                   {"Port", instance.state.value("Port", 0)}, {"Encrypted", instance.spec.value("StorageEncrypted", false)},
                   {"InstanceCreateTime", toEpochSeconds(instance.createdAt)},
                   {"DbiResourceId", instance.spec.value("DbiResourceId", "")}};
  for (const char* name : {"Engine", "EngineVersion", "EngineMajor", "MasterUsername", "MasterUserPasswordSealed",
                           "AllocatedStorage", "StorageType", "StorageEncrypted", "KmsKeyId", "DBParameterGroupName",
                           "AvailabilityZone", "DBInstanceClass", "BackupRetentionPeriod", "PreferredBackupWindow",
                           "PreferredMaintenanceWindow", "DBName"}) {
    if (instance.spec.contains(name)) snapshot.spec[name] = instance.spec[name];
  }
  auto existing = ctx.catalog().getResource(snapshot.accountId, snapshot.region, kSnapshot, snapshot.name);
  if (existing && !isSnapshotOf(*existing, instance)) {
    // The name is taken by a backup kept from an earlier instance of the
    // same name (deleted within the same minute): this one's gets another.
    std::string dbi = lowerCase(instance.spec.value("DbiResourceId", std::to_string(instance.id)));
    instance.state["PendingBackup"] = snapshot.name + "-" + dbi.substr(dbi.size() > 8 ? dbi.size() - 8 : 0);
    return StepOutcome::progress();
  }
  auto recorded = existing ? existing : ctx.catalog().transact([&]() -> Result<Resource> {
    auto created = ctx.catalog().createResource(snapshot);
    // With CopyTagsToSnapshot, automated snapshots carry the instance's tags as manual ones do.
    if (created && instance.spec.value("CopyTagsToSnapshot", false)) {
      ctx.catalog().addTags(created->arn, ctx.catalog().listTags(instance.arn));
    }
    return created;
  });
  if (!recorded) return failStep(instance, ctx, recorded.error(), kFailed);
  // The snapshot controller takes the backup; this instance waits for it.
  if (recorded->status == kCreating) return StepOutcome::retryAfter(milliseconds(200));
  if (recorded->status != kAvailable) {
    ctx.note("automated backup failed");
  } else if (!instance.state.contains("EarliestRestorableTime")) {
    instance.state["EarliestRestorableTime"] = recorded->state.value("SnapshotCreateTime", toEpochSeconds(now));
  }
  instance.state["LastAutomatedBackup"] = toEpochSeconds(now);
  instance.state.erase("PendingBackup");
  bool firstBackup = !instance.state.value("Created", false);
  instance.state["Created"] = true;
  instance.status = kAvailable;
  ctx.emitEvent("Finished DB Instance backup", {"backup"});
  if (firstBackup) ctx.emitEvent("DB instance created", {"creation"});
  (void)layout;
  return StepOutcome::done();
}

StepOutcome DbInstanceController::remove(Resource& instance, const EngineLayout& layout, ReconcileContext& ctx) {
  std::string finalSnapshot = instance.spec.value("FinalDBSnapshotIdentifier", "");
  if (!finalSnapshot.empty()) {
    auto snapshot = ctx.catalog().getResource(instance.accountId, instance.region, kSnapshot, finalSnapshot);
    if (snapshot && snapshot->status == kCreating) return StepOutcome::retryAfter(milliseconds(200));
  }
  if (isClusterMember(instance)) {
    if (auto waiting = leaveCluster(instance, layout, ctx)) return *waiting;
  } else if (auto waiting = awaitNewReplicas(instance, ctx)) {
    return *waiting;
  }
  if (isMultiAz(instance)) {
    if (auto stopped = multiAz_.stopBoth(instance); !stopped) return failStep(instance, ctx, stopped.error(), kFailed);
    multiAz_.forget(instance);
    for (const char* node : {"a", "b"}) {  // what a node keeps outside the instance's folder goes too
      if (auto nodeLayout = nodeLayoutOf(instance, node, paths_, secrets_)) (void)engine_.destroy(*nodeLayout);
    }
    std::error_code ec;
    std::filesystem::remove_all(paths_.instanceDir(instance), ec);
    for (const char* node : {"a", "b"}) ports_.release(instance.state["Nodes"][node].value("Port", 0));
  } else {
    if (isBehindProxy(instance)) multiAz_.forget(instance);
    if (auto stopped = engine_.stop(layout); !stopped) return failStep(instance, ctx, stopped.error(), kFailed);
    if (auto destroyed = engine_.destroy(layout); !destroyed) return failStep(instance, ctx, destroyed.error(), kFailed);
  }
  if (!isClusterMember(instance)) promoteReplicasOf(instance, ctx);
  // A cluster member's archive is the cluster's: it goes with the cluster.
  // Kept only when asked for and there are backups to keep (without
  // retention, an archive alone would be kept with nothing to restore from).
  const bool keep = !instance.spec.value("DeleteAutomatedBackups", true) &&
                    instance.spec.value("BackupRetentionPeriod", 0) > 0;
  if (!keep && !isClusterMember(instance)) {
    if (deleteAutomatedSnapshotsOf(ctx.catalog(), instance)) ctx.requestRescan();
    std::error_code ec;
    std::filesystem::remove_all(layout.walArchive, ec);
  } else if (keep && !isClusterMember(instance)) {
    // Kept: its automated snapshots and WAL archive, and a record of them
    // (a step made again after a crash finds it made).
    auto kept = ctx.catalog().createResource(retainedBackupOf(instance));
    if (!kept && kept.error().code != catalog_errors::kAlreadyExists) {
      return failStep(instance, ctx, kept.error(), kFailed);
    }
  }
  for (const char* port : {"Port", "EnginePort"}) {
    if (instance.state.contains(port)) ports_.release(instance.state[port]);
  }
  instance.status = kDeleted;
  ctx.emitEvent("DB instance deleted", {"deletion"});
  return StepOutcome::done();
}

}  // namespace kura::rds
