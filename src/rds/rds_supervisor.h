#pragma once
// Watches every RDS instance between reconcile steps, once a second:
//  - an available instance whose engine is not running is started again
//    (after a crash of Kura the engine is adopted or restarted);
//  - LatestRestorableTime follows the WAL archive, counting only what is
//    synced (every file in the archive, and the archive's folder, fsynced
//    before the catalog says the time is restorable);
//  - the daily automated backup is started inside PreferredBackupWindow
//    (status backing-up: the instance controller takes it);
//  - automated snapshots older than BackupRetentionPeriod days are deleted,
//    a deleted instance's retained ones too (and the rest of its retained
//    backups with the last);
//  - modifications held for the maintenance window are applied in it;
//  - a changed DB parameter group reaches its instances: the engine
//    re-reads its settings (dynamic ones apply), and ParameterApplyStatus
//    says pending-reboot while a static one waits for the next start;
//  - a Multi-AZ primary that died or stopped answering is fenced and its
//    standby promoted (automatic failover), and a missing standby rebuilt;
//  - an encrypted instance's archived WAL segments are sealed under its KMS
//    key into the WAL archive (the engine leaves them in an outbox);
//  - Aurora clusters (cluster_watch.cpp): a dead or hung writer is failed
//    over to a reader, readers of an old writer are rebuilt, the endpoints
//    follow, and the cluster's automated snapshots are taken and pruned;
//  - read replicas (replica_watch.cpp) stream from their source's current
//    primary, report their state and ReplicaLag, and are rebuilt when they
//    cannot stream;
//  - an instance's storage against its AllocatedStorage (storage_watch.cpp):
//    FreeStorageSpace, RDS's low storage events, storage autoscaling;
//  - CloudWatch metrics of available instances (instance_metrics.cpp);
//  - new PostgreSQL log lines are shipped to CloudWatch Logs for instances
//    that export the postgresql log.
// At shutdown it stops the engines it runs.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "catalog/catalog.h"
#include "common/durable_tree.h"
#include "common/keyed_jobs.h"
#include "common/periodic_task.h"
#include "common/secret_box.h"
#include "rds/instance_engine.h"
#include "kms/key_manager.h"
#include "rds/aurora_cluster.h"
#include "rds/log_shipper.h"
#include "rds/multi_az.h"
#include "rds/rds_layout.h"
#include "reconcile/reconciler.h"
#include "services/rds/port_allocator.h"
#include "services/rds/stop_limit.h"
#include "services/rds/system_update_schedule.h"

namespace kura::rds {

// Records a datapoint of an instance's metric (CloudWatch's AWS/RDS
// namespace, dimension DBInstanceIdentifier): instance, name, value, unit.
using MetricSink = std::function<void(const Resource&, const std::string&, double, const std::string&)>;

class RdsSupervisor {
 public:
  RdsSupervisor(Catalog& catalog, Reconciler& reconciler, InstanceEngine& engine, const SecretBox& secrets,
                RdsPaths paths, ClockPtr clock, LogShipper* shipper = nullptr, EndpointProxies* proxies = nullptr,
                kms::KeyManager* keys = nullptr, PortAllocator* ports = nullptr);
  ~RdsSupervisor();
  // Routes every endpoint first (a restarted Kura's proxy has none yet, and
  // the API answers already), then watches.
  void start();
  // Stops watching and stops every engine.
  void stop();
  // Cuts the copies under way short (their tools killed) without waiting:
  // called before the reconciler stops, whose steps may wait for a copy's
  // lock (MultiAz::ensureStandby).
  void cutRebuilds() { rebuilds_.cut(); }
  // The copies under way, by instance ARN: a controller about to act on an
  // instance's servers waits for its copy or cuts it short
  // (DbInstanceController::heldByCopy).
  KeyedJobs& copies() { return rebuilds_; }
  void setMetricSink(MetricSink sink) { metrics_ = std::move(sink); }
  // How long an instance or cluster stays stopped before the supervisor
  // starts it (services/rds/stop_limit.h); 0: never.
  void setStopLimit(std::chrono::seconds limit) { stopLimit_ = limit; }
  // How long after it is noticed a pending system update is applied in the
  // instance's maintenance window without an opt-in
  // (services/rds/system_update_schedule.h); 0: never.
  void setSystemUpdateAutoApply(std::chrono::seconds after) { systemUpdateAutoApply_ = after; }
  // One pass (tests call it directly).
  void checkOnce();
  // What measures the bytes an instance's files take (tests: a figure of
  // their own); by default the blocks of the files under its folder
  // (diskBytesUnder). Empty: it could not; the last figure stands.
  void setStorageMeter(std::function<std::optional<uint64_t>(const std::filesystem::path&)> meter) {
    storageMeter_ = std::move(meter);
  }
  // The bytes an instance's files took when last measured (storage_watch.cpp).
  std::optional<uint64_t> measuredStorage(const std::string& arn) const;
  // The entries its per-resource maps hold (tests: they go with their resources).
  size_t trackedEntries() const;
  // How many instance records the last pass parsed and watched (tests: a
  // settled stopped instance is passed over).
  size_t watchedLastPass() const { return watchedLastPass_; }

 private:
  // Every endpoint to its engine as recorded, without asking the engines.
  void routeEndpoints();
  void watch(Resource instance);
  // A stopped instance or cluster past its AutomaticRestartTime recorded
  // starting; true if it was.
  bool startIfStoppedTooLong(const Resource& resource);
  // A class changed while the instance runs: its servers' memory bounds
  // follow at once.
  void keepMemoryBound(const Resource& instance);
  // Whether a stopped instance's logs were shipped since it stopped (then its
  // log folder is left alone); true at most from the second look on.
  bool stoppedAndShipped(const Resource& instance);
  // Whether a running instance's log folder is looked at this pass: every
  // other second (a stopped one's: as stoppedAndShipped says).
  bool shipDue(const Resource& instance);
  // Whether a stopped instance was found with nothing left to do (WAL
  // sealed, logs shipped) at the version of its record seen now: judged
  // from its unparsed fields, its record is then not parsed.
  bool settledWhileStopped(const Resource& instance) const;
  // An instance's storage against its allocation (storage_watch.cpp): the
  // bytes its files take, measured every half minute; then RDS's low
  // storage events and storage autoscaling. watchStorage is false when the
  // pass must stop here for this instance.
  void measureStorage(const Resource& instance, const EngineLayout& layout);
  bool watchStorage(Resource& instance);
  // An instance no longer watched (stopped, deleted): measured afresh when it is again.
  void forgetStorage(const std::string& arn);
  // Aurora clusters (cluster_watch.cpp).
  void watchCluster(Resource cluster);
  // A cluster's first automated snapshot, once available, starts its
  // restorable window; false when the record changed meanwhile.
  bool countFirstBackup(Resource& cluster);
  // A cluster's reader: started again, or rebuilt when it follows an old
  // writer. False when the pass must stop here for this instance.
  bool watchMember(Resource& instance);
  // A read replica (replica_watch.cpp): follows its source's current
  // primary, reports its state and lag, is rebuilt when it cannot stream.
  // False when the pass must stop here for this instance.
  bool watchReplica(Resource& replica);
  // Of an instance or a cluster: its daily automated backup, and the
  // pruning of the automated snapshots older than its retention.
  bool backupDue(const Resource& owner, SystemTime now) const;
  void pruneAutomatedSnapshots(const Resource& owner, SystemTime now);
  // Retained automated backups (retained_backups.h) expire as their
  // instance's would have: each automated snapshot once older than the
  // retention period the instance had, the whole (archive and record) once
  // none is left (retained_backup_expiry.cpp). Once a minute.
  void expireRetainedBackups(SystemTime now);
  // An instance whose servers run an older executable than the one
  // installed has a pending system update (system_update.cpp), applied
  // here in the window when opted in; false when the pass must stop here
  // for this instance.
  bool watchSystemUpdate(Resource& instance);
  // Custom endpoints of clusters (custom_endpoints.cpp), routed with the
  // cluster's own (ClusterEndpoints::route): available once routed (an
  // event when one cannot listen), a deleted member out of their lists;
  // deleted ones, and those of clusters gone or going, stop listening and go.
  void settleCustomEndpointStatus(const Resource& cluster, const std::vector<Resource>& members,
                                  const std::map<std::string, std::string>& customErrors);
  void settleCustomEndpoints();
  // Read once a pass: cluster ARN -> its custom endpoints.
  std::map<std::string, std::vector<Resource>> customEndpoints_;
  void expireRetainedBackup(const Resource& kept, const std::vector<Resource>& snapshots, SystemTime now);
  // Returns false when the instance record moved on meanwhile.
  bool syncParameters(Resource& instance);
  // Inside the weekly maintenance window, the modifications held for it are
  // applied as an immediate ModifyDBInstance would (pending_maintenance.cpp);
  // true if the instance changed.
  bool startPendingMaintenance(Resource& instance, SystemTime now);
  // Multi-AZ: false when the pass must stop here for this instance.
  bool watchMultiAz(Resource& instance);
  // A standby not ready is built (rebuilds_) and then recorded ready
  // (keepStandby) if the instance is still what it was built for.
  void rebuildStandby(const Resource& instance);
  void keepStandby(const Resource& built);
  // After a copy of a standby for `built` (the record the copy worked
  // from), given the instance's record now (`fresh`): true when the
  // instance no longer wants it (stopped, deleted, made Single-AZ, failed
  // over), the standby node then stopped unless it is the primary now.
  bool stopUnwantedStandby(const Resource& built, Result<Resource> fresh);
  // True when nothing is left in the outbox to seal.
  bool sealWal(const Resource& instance);
  // DatabaseConnections and FreeStorageSpace, every few seconds (instance_metrics.cpp).
  // Whether the instance's metrics are due (every 5 s; marks them taken).
  bool metricsDue(const Resource& instance);
  void recordMetrics(const Resource& instance, const EngineLayout& layout);
  // LatestRestorableTime of an instance or a cluster follows its WAL
  // archive; false when the record changed meanwhile.
  bool followArchive(Resource& owner, const EngineLayout& layout);
  void addEvent(const Resource& instance, const std::string& message, const std::string& category);
  // After a start of an engine found not running: "restarted" only when a
  // server was started (`started` true), the failure when it failed.
  void addStartEvent(const Resource& instance, Result<bool> started);

  Catalog& catalog_;
  Reconciler& reconciler_;
  InstanceEngine& engine_;
  const SecretBox& secrets_;
  RdsPaths paths_;
  ClockPtr clock_;
  LogShipper* shipper_;
  EndpointProxies* proxies_;
  MultiAz multiAz_;
  ClusterEndpoints clusterEndpoints_;
  kms::KeyManager* keys_;
  PortAllocator* ports_;  // Multi-AZ changes held for the maintenance window take ports
  struct ReplicaWatch {
    std::chrono::steady_clock::time_point checkedAt{};
    std::chrono::steady_clock::time_point streamedAt{};  // last seen streaming
  };
  std::map<std::string, ReplicaWatch> replicaWatch_;  // replica ARN ->
  MetricSink metrics_;
  std::chrono::seconds stopLimit_ = kDefaultStopLimit;
  std::chrono::seconds systemUpdateAutoApply_ = kDefaultSystemUpdateAutoApply;
  // Stopped instances whose logs were shipped since they stopped: ARN ->
  // the record's version then (rds_supervisor.cpp's stoppedAndShipped).
  std::map<std::string, int64_t> shippedWhileStopped_;
  std::map<std::string, std::chrono::steady_clock::time_point> shippedAt_;  // ARN -> last look (shipDue)
  // Stopped instances with nothing left to do: ARN -> the record's version
  // then (settledWhileStopped).
  std::map<std::string, int64_t> settledWhileStopped_;
  // When a stopped instance seen by a pass starts by itself: its record is
  // parsed again then, however settled.
  std::map<std::string, SystemTime> restartDue_;
  // Available instances: ARN -> the bytes their servers' memory groups
  // were last bounded to (keepMemoryBound; 0: no bound).
  std::map<std::string, uint64_t> memoryBoundBytes_;
  size_t watchedLastPass_ = 0;
  struct StorageWatch {
    SystemTime submittedAt{};            // the last measurement asked for (the clock's time)
    std::optional<uint64_t> usedBytes;   // the last one made
    SystemTime lowSince{};               // since when at most 10% is free (the clock's time); epoch: not
  };
  mutable std::mutex storageMutex_;
  std::map<std::string, StorageWatch> storage_;  // instance ARN ->; guarded by storageMutex_
  std::function<std::optional<uint64_t>(const std::filesystem::path&)> storageMeter_;
  // The measurements, one at a time, off the passes' thread.
  KeyedJobs measurements_{"rds storage", 1};
  std::map<std::string, std::chrono::steady_clock::time_point> metricsRecordedAt_;  // instance ARN ->
  std::map<std::string, int> unanswered_;  // instance or cluster ARN -> failed health probes in a row
  std::map<std::string, std::chrono::steady_clock::time_point> archiveFollowedAt_;  // instance or cluster ARN ->
  // When an instance's executables were last compared (every ten seconds).
  std::map<std::string, SystemTime> systemUpdateCheckedAt_;  // instance ARN -> (the clock's time)
  // When an owner's automated snapshots were last pruned (once a minute).
  std::map<std::string, std::chrono::steady_clock::time_point> prunedAt_;  // instance or cluster ARN ->
  SystemTime retainedCheckedAt_{};  // expireRetainedBackups' last pass
  GrowingFolderSync archiveSync_;  // the WAL and binary log archives, synced before they count
  // Standbys, readers and read replicas copied again from their primaries:
  // as long as a backup, so off the passes' thread, two at a time.
  KeyedJobs rebuilds_{"rds rebuilds", 2};
  PeriodicTask task_;
};

}  // namespace kura::rds
