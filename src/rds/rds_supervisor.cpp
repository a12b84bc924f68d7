#include "rds/rds_supervisor.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "kms/tree_envelope.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <ctime>
#include <set>

#include "catalog/resource_event.h"
#include "common/daily_window.h"
#include "common/descriptor_shortage.h"
#include "common/per_resource.h"
#include "common/time_format.h"
#include "engines/memory_cgroup.h"
#include "services/rds/cluster_endpoints.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"
#include "services/rds/serverless_capacity.h"
#include "services/rds/snapshot_readers.h"

namespace kura::rds {
using Json = nlohmann::json;

namespace {

// Often enough that a Multi-AZ primary's death is noticed within half a second.
constexpr auto kInterval = std::chrono::milliseconds(500);
constexpr double kDaySeconds = 86400;

}  // namespace

RdsSupervisor::RdsSupervisor(Catalog& catalog, Reconciler& reconciler, InstanceEngine& engine,
                             const SecretBox& secrets, RdsPaths paths, ClockPtr clock, LogShipper* shipper,
                             EndpointProxies* proxies, kms::KeyManager* keys, PortAllocator* ports)
    : catalog_(catalog),
      reconciler_(reconciler),
      engine_(engine),
      secrets_(secrets),
      paths_(std::move(paths)),
      clock_(std::move(clock)),
      shipper_(shipper),
      proxies_(proxies),
      multiAz_(engine_, secrets_, paths_, proxies),
      clusterEndpoints_(engine_, secrets_, paths_, proxies),
      keys_(keys),
      ports_(ports),
      task_("rds supervisor", kInterval, [this] { checkOnce(); }) {}

RdsSupervisor::~RdsSupervisor() { stop(); }

void RdsSupervisor::start() {
  routeEndpoints();
  task_.start();
}

void RdsSupervisor::routeEndpoints() {
  for (const Resource& instance : catalog_.listAllOfKind(kInstance)) {
    if (instance.goal != kAvailable || instance.status == kCreating || !isBehindProxy(instance)) continue;
    if (auto routed = multiAz_.route(instance); !routed) {
      spdlog::warn("msg=\"cannot route the instance\" instance={} error=\"{}\"", instance.name, routed.error().message);
    }
  }
  for (const Resource& cluster : catalog_.listAllOfKind(kCluster)) {
    if (cluster.goal != kAvailable || cluster.status == kCreating) continue;
    if (auto routed = clusterEndpoints_.route(cluster, clusterMembers(catalog_, cluster),
                                              customEndpointsOf(catalog_, cluster.arn));
        !routed) {
      spdlog::warn("msg=\"cannot route the cluster\" cluster={} error=\"{}\"", cluster.name, routed.error().message);
    }
  }
}

void RdsSupervisor::stop() {
  if (!task_.stop()) return;
  rebuilds_.stop();  // a copy under way is cut short: the next start takes it again
  measurements_.stop();
  for (const Resource& instance : catalog_.listAllOfKind(kInstance)) {
    if (isMultiAz(instance) && instance.status != kDeleted) {
      if (auto stopped = multiAz_.stopBoth(instance); !stopped) {
        spdlog::error("msg=\"cannot stop engines\" instance={} error=\"{}\"", instance.name, stopped.error().message);
      }
      continue;
    }
    auto layout = layoutOf(instance, paths_, secrets_);
    if (layout && engine_.running(*layout)) {
      if (auto stopped = engine_.stop(*layout); !stopped) {
        spdlog::error("msg=\"cannot stop engine\" instance={} error=\"{}\"", instance.name, stopped.error().message);
      }
    }
  }
}

void RdsSupervisor::checkOnce() {
  std::set<std::string> live;  // what the pass's maps may keep
  customEndpoints_.clear();
  for (Resource& endpoint : catalog_.listAllOfKind(kClusterEndpoint)) {
    std::string clusterArn = endpoint.spec.value("ClusterArn", "");
    customEndpoints_[clusterArn].push_back(std::move(endpoint));
  }
  for (const Resource& cluster : catalog_.listAllOfKind(kCluster)) {
    if (cluster.status != kDeleted) live.insert(cluster.arn);
    if (startIfStoppedTooLong(cluster)) continue;
    watchCluster(cluster);
  }
  settleCustomEndpoints();
  // A stopped instance that was seen settled at its record's version is
  // passed over unparsed: with thousands stopped, parsing every record
  // twice a second was most of the supervisor's time (and of an idle
  // Kura's CPU).
  std::vector<Resource> instances = catalog_.listAllOfKind(kInstance, [&](const Resource& unparsed) {
    if (unparsed.status != kDeleted) live.insert(unparsed.arn);
    if (!settledWhileStopped(unparsed)) return true;
    // Settled, so seen at this version, and its AutomaticRestartTime noted.
    auto due = restartDue_.find(unparsed.arn);
    return due != restartDue_.end() && due->second <= clock_->now();
  });
  watchedLastPass_ = instances.size();
  for (Resource& instance : instances) watch(std::move(instance));
  expireRetainedBackups(clock_->now());
  // A deleted instance's or cluster's entries go with it.
  forgetAllBut(prunedAt_, live);
  forgetAllBut(metricsRecordedAt_, live);
  {
    std::lock_guard lock(storageMutex_);
    forgetAllBut(storage_, live);
  }
  forgetAllBut(archiveFollowedAt_, live);
  forgetAllBut(unanswered_, live);
  forgetAllBut(replicaWatch_, live);
  forgetAllBut(shippedWhileStopped_, live);
  forgetAllBut(shippedAt_, live);
  forgetAllBut(settledWhileStopped_, live);
  forgetAllBut(restartDue_, live);
  forgetAllBut(memoryBoundBytes_, live);
  forgetAllBut(systemUpdateCheckedAt_, live);
}

size_t RdsSupervisor::trackedEntries() const {
  std::lock_guard lock(storageMutex_);
  return prunedAt_.size() + metricsRecordedAt_.size() + storage_.size() + archiveFollowedAt_.size() +
         unanswered_.size() + replicaWatch_.size() + shippedWhileStopped_.size() + shippedAt_.size() +
         settledWhileStopped_.size() + restartDue_.size() + memoryBoundBytes_.size() + systemUpdateCheckedAt_.size();
}

bool RdsSupervisor::backupDue(const Resource& instance, SystemTime now) const {
  if (instance.spec.value("BackupRetentionPeriod", 0) == 0) return false;
  double last = instance.state.value("LastAutomatedBackup", 0.0);
  double age = toEpochSeconds(now) - last;
  if (age < kDaySeconds / 2) return false;  // at most one a window
  return insideDailyWindow(instance.spec.value("PreferredBackupWindow", ""), now) || age > kDaySeconds + 3600;
}

void RdsSupervisor::pruneAutomatedSnapshots(const Resource& instance, SystemTime now) {
  // It reads every snapshot of its kind: once a minute an owner, not on
  // every pass (retention is counted in days; the first backup's
  // EarliestRestorableTime is set when it is available: by the instance's
  // controller, or by a cluster's watch, countFirstBackup).
  auto steadyNow = std::chrono::steady_clock::now();
  auto& last = prunedAt_[instance.arn];
  if (last != std::chrono::steady_clock::time_point{} && steadyNow - last < std::chrono::minutes(1)) return;
  last = steadyNow;
  double retentionSeconds = instance.spec.value("BackupRetentionPeriod", 0) * kDaySeconds;
  double oldestKept = std::numeric_limits<double>::max();
  const bool cluster = instance.kind == kCluster;
  std::vector<Resource> expired;
  for (Resource& snapshot : catalog_.listAllOfKind(cluster ? kClusterSnapshot : kSnapshot)) {
    bool ours = cluster ? snapshot.spec.value("SourceClusterArn", "") == instance.arn : isSnapshotOf(snapshot, instance);
    if (!ours || snapshot.spec.value("SnapshotType", "") != "automated" || snapshot.status != kAvailable) {
      continue;
    }
    double taken = snapshot.state.value("SnapshotCreateTime", 0.0);
    if (toEpochSeconds(now) - taken > retentionSeconds) {
      expired.push_back(std::move(snapshot));
    } else {
      oldestKept = std::min(oldestKept, taken);
    }
  }
  // Marked deleting in one transaction with the check that no restore or
  // copy reads them (snapshot_readers.h): one under way keeps them, and the
  // owner's window, until it is done. The window moves in the same
  // transaction, so that a restore recorded after it checks the new one.
  if (expired.empty() && (oldestKept == std::numeric_limits<double>::max() ||
                          std::abs(instance.state.value("EarliestRestorableTime", 0.0) - oldestKept) <= 0.5)) {
    return;  // the usual case: nothing to write
  }
  auto pruned = catalog_.transact([&]() -> Result<bool> {
    std::set<std::string> reads = expired.empty() ? std::set<std::string>{} : snapshotReads(catalog_);
    bool ownerRead = reads.contains(instance.arn);  // a point-in-time restore from it
    bool any = false;
    for (const Resource& snapshot : expired) {
      auto fresh = catalog_.getResourceByArn(snapshot.arn);
      if (!fresh || fresh->status != kAvailable) continue;
      if (ownerRead || reads.contains(snapshot.arn)) {
        oldestKept = std::min(oldestKept, fresh->state.value("SnapshotCreateTime", 0.0));
        continue;
      }
      Resource marked = *fresh;
      marked.status = kDeleting;
      marked.goal = kDeleted;
      if (auto stored = catalog_.updateResource(marked); !stored) return stored.error();
      any = true;
    }
    // What can be restored starts at the oldest backup still kept.
    auto owner = catalog_.getResourceByArn(instance.arn);
    if (owner && oldestKept != std::numeric_limits<double>::max() &&
        std::abs(owner->state.value("EarliestRestorableTime", 0.0) - oldestKept) > 0.5) {
      Resource updated = *owner;
      updated.state["EarliestRestorableTime"] = oldestKept;
      if (auto stored = catalog_.updateResource(updated); !stored) return stored.error();
    }
    return any;
  });
  if (pruned && *pruned) reconciler_.wake();
}

bool RdsSupervisor::followArchive(Resource& owner, const EngineLayout& layout) {
  // Every other second is enough: the window then trails by two or three
  // seconds, and an idle server is asked about its archive no more often.
  auto now = std::chrono::steady_clock::now();
  auto& followed = archiveFollowedAt_[owner.arn];
  if (now - followed < std::chrono::seconds(2)) return true;
  followed = now;
  auto latest = engine_.latestRestorableTime(layout);
  if (!latest) return true;
  double seconds = std::floor(toEpochSeconds(*latest));
  if (seconds <= owner.state.value("LatestRestorableTime", 0.0)) return true;
  // Counted (and so admitted by a point-in-time restore) only once on disk:
  // every file the time was read from is in the archive now (it only
  // grows), and is synced here with the archive's folder, whoever wrote it
  // (the engine's archiver, Kura's copy of a binary log, a sealed segment).
  // (What the time recorded already counts was synced before it was.)
  if (auto error = archiveSync_.sync(layout.walArchive, owner.state.value("LatestRestorableTime", 0.0));
      !error.empty()) {
    spdlog::warn("msg=\"cannot sync the WAL archive: LatestRestorableTime held\" owner={} error=\"{}\"", owner.name,
                 error);
    return true;
  }
  owner.state["LatestRestorableTime"] = seconds;
  auto updated = catalog_.updateResource(owner);
  if (!updated) return false;  // changed meanwhile: next pass
  owner = *updated;
  return true;
}

void RdsSupervisor::addStartEvent(const Resource& instance, Result<bool> started) {
  // One that came up meanwhile was adopted: it ran on, no restart to report.
  if (started && !*started) return;
  addEvent(instance, started ? "DB instance restarted" : "DB instance could not be restarted: " + started.error().message,
           "availability");
}

void RdsSupervisor::addEvent(const Resource& instance, const std::string& message, const std::string& category) {
  addResourceEvent(catalog_, instance, message, category);
}

bool RdsSupervisor::watchMultiAz(Resource& instance) {
  // Whether a copy of its standby runs (rebuildStandby), judged once for
  // the pass. A copy that ended since this pass read the record recorded
  // its result: a pass that went on from the older record would undo it
  // (reload the primary without its standby, copy it again).
  const bool building = rebuilds_.busy(instance.arn);
  if (!building) {
    auto fresh = catalog_.getResourceByArn(instance.arn);
    if (!fresh || fresh->version != instance.version) return false;
  }
  auto primary = layoutOf(instance, paths_, secrets_);
  if (!primary) return false;
  uint64_t mark = descriptorShortages();
  bool running = engine_.running(*primary);
  bool answers = running && engine_.healthy(*primary, std::chrono::seconds(1));
  // Kura out of descriptors cannot tell a dead primary from a live one: no
  // failover, no restart, no count towards one.
  if (judgeProbe(answers, mark) == ProbeVerdict::kUnknown) {
    logProbeUnknown("rds instance " + instance.name);
    return false;
  }
  int& unanswered = unanswered_[instance.arn];
  unanswered = answers ? 0 : unanswered + 1;
  if ((!running || unanswered >= 2) && !instance.state.value("StandbyReady", false)) {
    // No standby to take over: the primary starts again where it is (a hung
    // one is killed first), as a Single-AZ instance would.
    unanswered = 0;
    // Killed first in any case: a dead postmaster can leave backends that
    // still answer their clients.
    if (auto fenced = engine_.fence(*primary); !fenced) return false;
    auto started = engine_.start(*primary);
    addEvent(instance, started ? "DB instance restarted" : "DB instance could not be restarted: " + started.error().message,
             "availability");
    return false;
  }
  if (!running || unanswered >= 2) {
    // Automatic failover: fence, record the new primary, then promote it.
    unanswered = 0;
    spdlog::warn("msg=\"Multi-AZ primary lost: failing over\" instance={} running={}", instance.name, running);
    addEvent(instance, "Multi-AZ instance failover started.", "failover");
    if (auto switched = multiAz_.fenceAndSwitch(instance, false); !switched) {
      spdlog::error("msg=\"cannot fence the old primary\" instance={} error=\"{}\"", instance.name,
                    switched.error().message);
      return false;
    }
    auto stored = catalog_.updateResource(instance);
    if (!stored) return false;
    instance = *stored;
  }
  // Every pass: the recorded primary is promoted and behind the endpoint
  // (this also finishes a failover that a crash of Kura cut short). While
  // its standby is copied, the copy decides whether commits wait for it: a
  // reload here would turn that off under it.
  if (auto promoted = multiAz_.promoteAndRoute(instance, !building); !promoted) {
    spdlog::error("msg=\"cannot promote the primary\" instance={} error=\"{}\"", instance.name, promoted.error().message);
    return false;
  }
  // A standby is (re)built only from a primary that answers: a rebuild from
  // a hung one would only hold up the next check.
  if (!answers && running) return false;
  bool standbyReady = instance.state.value("StandbyReady", false);
  if (standbyReady && !building) {
    auto standby = nodeLayoutOf(instance, standbyNode(instance), paths_, secrets_);
    if (standby && !engine_.running(*standby) && !multiAz_.startStandby(instance)) {
      // A synchronous primary would wait for it forever: recorded not ready
      // (no failover to it, commits stop waiting for it) before it is
      // copied again.
      instance.state["StandbyReady"] = false;
      auto stored = catalog_.updateResource(instance);
      if (!stored) return false;
      instance = *stored;
      if (auto plain = layoutOf(instance, paths_, secrets_)) engine_.reload(*plain);
      standbyReady = false;
    }
  }
  if (!standbyReady && !building) {
    // The failover is complete once the new primary serves; its new
    // standby is copied off this thread (rebuildStandby).
    if (instance.state.value("Primary", "a") != instance.state.value("EventedPrimary", "a")) {
      instance.state["EventedPrimary"] = instance.state["Primary"];
      addEvent(instance, "Multi-AZ instance failover completed.", "failover");
      auto stored = catalog_.updateResource(instance);
      if (!stored) return false;
      instance = *stored;
    }
    rebuildStandby(instance);
  }
  return true;
}

void RdsSupervisor::rebuildStandby(const Resource& instance) {
  // As long as a backup of the database: off this thread, which meanwhile
  // keeps watching the primary (and every other instance).
  rebuilds_.submit(instance.arn, [this, built = instance]() mutable {
    // Built from the record as it is when the copy starts, if the instance
    // still wants a standby then.
    auto reread = [this, arn = built.arn]() -> std::optional<Resource> {
      auto fresh = catalog_.getResourceByArn(arn);
      if (!fresh || fresh->status != kAvailable || fresh->goal != kAvailable || !isMultiAz(*fresh)) return std::nullopt;
      return *fresh;
    };
    if (!reread()) return true;  // no longer wanted: nothing to do (not a failure to back off from)
    auto ready = multiAz_.ensureStandby(built, /*watchPrimary=*/false, reread);  // the passes watch the primary
    if (!ready) {
      spdlog::warn("msg=\"cannot build the standby\" instance={} error=\"{}\"", built.name, ready.error().message);
      stopUnwantedStandby(built, catalog_.getResourceByArn(built.arn));
      return false;
    }
    keepStandby(built);
    return true;
  });
}

bool RdsSupervisor::stopUnwantedStandby(const Resource& built, Result<Resource> fresh) {
  // Still wanted: the instance runs, Multi-AZ, with the same primary.
  if (fresh && fresh->goal == kAvailable && isMultiAz(*fresh) && primaryNode(*fresh) == primaryNode(built)) {
    return false;
  }
  // Never the node that is the primary now.
  if (fresh && isMultiAz(*fresh) && primaryNode(*fresh) == standbyNode(built)) return true;
  if (auto standby = nodeLayoutOf(built, standbyNode(built), paths_, secrets_)) engine_.stop(*standby);
  spdlog::info("msg=\"the instance changed while its standby was built: standby stopped\" instance={}", built.name);
  return true;
}

void RdsSupervisor::keepStandby(const Resource& built) {
  // Recorded ready only if the instance is still what the standby was built
  // for; one stopped, deleted or made Single-AZ meanwhile (its controller
  // may have stopped its servers before this one started) must not keep a
  // standby running.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto fresh = catalog_.getResourceByArn(built.arn);
    if (stopUnwantedStandby(built, fresh)) return;
    // Another step under way (a modification, a reboot, a backup) records
    // its own result: the next pass finds the standby streaming and makes
    // it ready again without a copy (MultiAz::ensureStandby).
    if (!fresh || fresh->status != kAvailable || fresh->state.value("StandbyReady", false)) return;
    Resource ready = *fresh;
    ready.state["StandbyReady"] = true;
    if (catalog_.updateResource(ready)) return;
  }
}

bool RdsSupervisor::syncParameters(Resource& instance) {
  std::string groupName = instance.spec.value("DBParameterGroupName", "");
  auto group = catalog_.getResource(instance.accountId, instance.region, kParameterGroup, groupName);
  // The default group is not stored: no values, version 0.
  Json parameters = group ? group->spec.value("Parameters", Json::object()) : Json::object();
  Json version = group ? group->spec.value("Version", int64_t{0}) : 0;
  if (isClusterMember(instance)) {
    // An Aurora instance: its cluster's group first, its own group's values over them.
    auto cluster = catalog_.getResourceByArn(instance.spec.value("ClusterArn", ""));
    std::string clusterGroupName = cluster ? cluster->spec.value("DBClusterParameterGroup", "") : "";
    auto clusterGroup = catalog_.getResource(instance.accountId, instance.region, kClusterParameterGroup,
                                             clusterGroupName);
    Json merged = clusterGroup ? clusterGroup->spec.value("Parameters", Json::object()) : Json::object();
    merged.update(parameters);
    parameters = merged;
    version = Json::array({version, clusterGroupName, clusterGroup ? clusterGroup->spec.value("Version", 0) : 0});
  }
  if (instance.state.value("AppliedParameterGroup", "") == groupName &&
      instance.state.value("AppliedParameterVersion", Json(0)) == version) {
    return true;
  }
  Resource updated = instance;
  updated.state["Parameters"] = parameters;
  auto layout = layoutOf(updated, paths_, secrets_);
  if (!layout) return false;
  auto reloaded = engine_.reload(*layout);
  if (!reloaded) {
    spdlog::warn("msg=\"cannot apply the parameter group\" instance={} error=\"{}\"", instance.name,
                 reloaded.error().message);
    updated.state["ParameterApplyStatus"] = "failed-to-apply";
  } else {
    Json statics = Json::object();
    for (const auto& [name, parameter] : parameters.items()) {
      if (parameter.value("static", false)) statics[name] = parameter["value"];
    }
    bool restartNeeded = statics != instance.state.value("StaticParametersAtStart", Json::object()) ||
                         instance.state.value("StartedParameterGroup", groupName) != groupName;
    updated.state["ParameterApplyStatus"] = restartNeeded ? "pending-reboot" : "in-sync";
  }
  updated.state["AppliedParameterGroup"] = groupName;
  updated.state["AppliedParameterVersion"] = version;
  auto stored = catalog_.updateResource(updated);
  if (!stored) return false;  // changed meanwhile: next pass
  instance = *stored;
  return true;
}

bool RdsSupervisor::sealWal(const Resource& instance) {
  auto layout = layoutOf(instance, paths_, secrets_);
  if (!layout) return false;
  if (layout->walOutbox.empty() || keys_ == nullptr) return true;
  std::error_code ec;
  std::vector<std::filesystem::path> ready;
  for (const auto& entry : std::filesystem::directory_iterator(layout->walOutbox, ec)) {
    std::string name = entry.path().filename().string();
    // A link planted in the outbox is never sealed (nor followed).
    if (entry.symlink_status(ec).type() == std::filesystem::file_type::regular && !name.ends_with(".part")) {
      ready.push_back(entry.path());
    }
  }
  if (ready.empty()) return true;
  auto key = kms::directoryDataKey(*keys_, {instance.accountId, instance.region},
                                   instance.spec.value("KmsKeyId", "alias/aws/rds"),
                                   {{"aws:rds:dbi-resource-id", walArchiveId(instance)}},
                                   layout->walArchive);
  if (!key) {
    spdlog::warn("msg=\"cannot seal the WAL archive\" instance={} error=\"{}\"", instance.name, key.error().message);
    return false;
  }
  std::sort(ready.begin(), ready.end());
  for (const auto& file : ready) {
    // The sealed copy keeps the time the engine's file had in the outbox:
    // the archive's times say what it can restore to, and a file sealed
    // late (an old primary's last one, after a failover) holds nothing newer.
    struct stat before {};
    bool timed = ::lstat(file.c_str(), &before) == 0;
    if (auto sealed = kms::sealIntoDirectory(*key, file, layout->walArchive, file.filename().string()); !sealed) {
      spdlog::warn("msg=\"cannot seal a WAL segment\" instance={} error=\"{}\"", instance.name,
                   sealed.error().message);
      return false;
    }
    if (timed) {
      struct timespec times[2] = {before.st_mtim, before.st_mtim};
      ::utimensat(AT_FDCWD, (layout->walArchive / file.filename()).c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
    // The sealed copy and its name on disk before the engine's copy goes:
    // after a power loss either the outbox still has the segment (sealed
    // again) or the archive has it whole, never a torn copy alone.
    std::string synced = syncPath(layout->walArchive / file.filename());
    if (synced.empty()) synced = syncPath(layout->walArchive);
    if (!synced.empty()) {
      spdlog::warn("msg=\"cannot sync a sealed WAL segment\" instance={} error=\"{}\"", instance.name, synced);
      return false;
    }
    std::filesystem::remove(file, ec);
  }
  return true;
}

bool RdsSupervisor::stoppedAndShipped(const Resource& instance) {
  // A stopped server writes no logs: once what it wrote up to its stop is
  // shipped, its log folder is not looked at again until its record
  // changes (a start, or other log exports). Looking at every stopped
  // instance's folder twice a second was most of the supervisor's time
  // with many instances stopped.
  if (instance.status != kStopped || instance.goal != kStopped) {
    shippedWhileStopped_.erase(instance.arn);
    return false;
  }
  auto [at, first] = shippedWhileStopped_.try_emplace(instance.arn, instance.version);
  if (first || at->second != instance.version) {
    at->second = instance.version;
    return false;
  }
  return true;
}

bool RdsSupervisor::shipDue(const Resource& instance) {
  // Twice a second, the look at every running instance's log folder was a
  // fifth of the supervisor's time with an idle fleet; the logs reach
  // CloudWatch Logs within two seconds all the same. A stopped instance's
  // last logs go as stoppedAndShipped says; a deleted one's are looked for
  // at every pass until its folder goes.
  if (instance.status == kStopped || instance.status == kDeleting || instance.goal == kDeleted) return true;
  auto now = std::chrono::steady_clock::now();
  auto& last = shippedAt_[instance.arn];
  if (last != std::chrono::steady_clock::time_point{} && now - last < std::chrono::seconds(2)) return false;
  last = now;
  return true;
}

bool RdsSupervisor::settledWhileStopped(const Resource& instance) const {
  if (instance.status != kStopped || instance.goal != kStopped) return false;
  auto at = settledWhileStopped_.find(instance.arn);
  return at != settledWhileStopped_.end() && at->second == instance.version;
}

void RdsSupervisor::keepMemoryBound(const Resource& instance) {
  const std::string instanceClass = instance.spec.value("DBInstanceClass", "");
  // The class's memory, or a db.serverless instance's cluster's MaxCapacity.
  const uint64_t bytes = instanceMemoryBytes(instance.spec);
  auto at = memoryBoundBytes_.find(instance.arn);
  if (at != memoryBoundBytes_.end() && at->second == bytes) return;
  memoryBoundBytes_[instance.arn] = bytes;  // tried once a bound: a refusal is not repeated every pass
  std::vector<std::filesystem::path> servers = {paths_.engineDir(instance)};
  if (isMultiAz(instance)) servers.push_back(paths_.nodeDir(instance, standbyNode(instance)));
  for (const auto& server : servers) {
    if (!engines::memoryCgroups().rebound(server, bytes)) {
      spdlog::warn("msg=\"cannot move the server's memory bound: it keeps its old one until it restarts\" "
                   "instance={} class={} bytes={}",
                   instance.name, instanceClass, bytes);
    }
  }
}

bool RdsSupervisor::startIfStoppedTooLong(const Resource& resource) {
  // A cluster's instances start with it.
  if (resource.kind == kInstance && isClusterMember(resource)) return false;
  auto due = automaticRestartTime(resource, stopLimit_);
  if (!due) {
    restartDue_.erase(resource.arn);
    return false;
  }
  restartDue_[resource.arn] = *due;
  if (*due > clock_->now()) return false;
  restartDue_.erase(resource.arn);
  Result<Resource> stored = ApiError::internal("");
  if (resource.kind == kCluster) {
    stored = recordClusterStarting(catalog_, resource);
  } else {
    Resource instance = resource;
    instance.status = kStarting;
    instance.goal = kAvailable;
    stored = catalog_.updateResource(instance);
  }
  if (!stored) return false;  // changed meanwhile: the next pass looks again
  spdlog::info("msg=\"stopped too long: starting\" kind={} name={}", resource.kind, resource.name);
  addEvent(*stored,
           std::string(resource.kind == kCluster ? "DB cluster" : "DB instance") +
               " is being started due to it exceeding the maximum allowed time being stopped.",
           "notification");
  reconciler_.wake();
  return true;
}

void RdsSupervisor::watch(Resource instance) {
  if (startIfStoppedTooLong(instance)) return;
  // What a stopped instance may still need: its last WAL segments sealed and
  // its last logs shipped. Once both are done at a version of its record,
  // the passes leave it alone until the record changes (checkOnce).
  bool settled = true;
  if (instance.spec.value("StorageEncrypted", false) && instance.status != kDeleted) settled = sealWal(instance);
  bool shipped = shipper_ == nullptr || instance.status == kCreating || stoppedAndShipped(instance);
  if (instance.status == kStopped && instance.goal == kStopped && settled && shipped) {
    settledWhileStopped_[instance.arn] = instance.version;
  } else {
    settledWhileStopped_.erase(instance.arn);
  }
  // Every instance: the log types it does not export are passed over.
  if (!shipped && shipDue(instance)) {
    std::optional<Resource> cluster;
    if (isClusterMember(instance)) {
      if (auto found = catalog_.getResourceByArn(instance.spec.value("ClusterArn", ""))) cluster = *found;
    }
    shipper_->ship(instance, paths_.engineDir(instance), logTargetOf(instance, cluster ? &*cluster : nullptr));
  }
  // A Single-AZ engine's endpoint, every pass (after a restart of Kura, its
  // proxy has none yet); a Multi-AZ one's is routed with its primary below.
  if (!isMultiAz(instance) && isBehindProxy(instance) && instance.goal == kAvailable && instance.status != kCreating) {
    if (auto routed = multiAz_.route(instance); !routed) {
      spdlog::warn("msg=\"cannot route the instance\" instance={} error=\"{}\"", instance.name, routed.error().message);
    }
  }
  if (instance.status != kAvailable || instance.goal != kAvailable) {
    forgetStorage(instance.arn);  // measured afresh, its low time counted afresh, once available again
    return;
  }
  // A reader or read replica being copied again from its primary
  // (rebuilds_) is the copy's until it ends; a replica's time to its next
  // rebuild starts then.
  if (!isMultiAz(instance) && rebuilds_.busy(instance.arn)) {
    if (isReadReplica(instance)) replicaWatch_[instance.arn].streamedAt = std::chrono::steady_clock::now();
    return;
  }
  keepMemoryBound(instance);
  if (!watchSystemUpdate(instance)) return;
  if (isMultiAz(instance) && !watchMultiAz(instance)) return;
  if (isClusterMember(instance)) {
    watchMember(instance);
    syncParameters(instance);
    if (metricsDue(instance)) {
      if (auto layout = layoutOf(instance, paths_, secrets_)) recordMetrics(instance, *layout);
    }
    startPendingMaintenance(instance, clock_->now());
    return;
  }
  if (isReadReplica(instance) && !watchReplica(instance)) return;
  auto layout = layoutOf(instance, paths_, secrets_);
  if (!layout) return;
  measureStorage(instance, *layout);
  if (!watchStorage(instance)) return;
  if (metricsDue(instance)) recordMetrics(instance, *layout);
  SystemTime now = clock_->now();
  uint64_t mark = descriptorShortages();
  if (!isMultiAz(instance) && !engine_.running(*layout)) {
    if (judgeProbe(false, mark) == ProbeVerdict::kUnknown) return logProbeUnknown("rds instance " + instance.name);
    auto started = engine_.start(*layout);
    spdlog::warn("msg=\"engine was not running: started again\" instance={} ok={}", instance.name, started.ok());
    addStartEvent(instance, started);
  }
  if (instance.spec.value("BackupRetentionPeriod", 0) > 0 && !followArchive(instance, *layout)) return;
  // A Multi-AZ primary's settings while its standby is copied are the
  // copy's (a reload from this record would turn synchronous replication
  // off under it): parameters reach it after the copy.
  if (!(isMultiAz(instance) && rebuilds_.busy(instance.arn)) && !syncParameters(instance)) return;
  if (startPendingMaintenance(instance, now)) return;
  if (backupDue(instance, now)) {
    instance.status = kBackingUp;  // the controller takes the backup
    if (catalog_.updateResource(instance)) reconciler_.wake();
    return;
  }
  pruneAutomatedSnapshots(instance, now);
}

}  // namespace kura::rds
