#pragma once
// Drives RDS DB instances: creating (new files, or restored from a snapshot
// or to a point in time) -> backing-up (the first automated backup) ->
// available; rebooting, modifying (new master password), stopping/stopped,
// starting, and deleting (after the final snapshot, if one was asked for).
#include "common/keyed_jobs.h"
#include "common/secret_box.h"
#include "kms/key_manager.h"
#include "rds/aurora_cluster.h"
#include "rds/instance_engine.h"
#include "rds/multi_az.h"
#include "rds/rds_layout.h"
#include "reconcile/controller.h"
#include "services/rds/port_allocator.h"

namespace kura::rds {

class DbInstanceController final : public Controller {
 public:
  // `copies`: the RDS supervisor's copies of a primary (a Multi-AZ standby,
  // an Aurora reader, a read replica rebuilt), by instance ARN.
  DbInstanceController(InstanceEngine& engine, const SecretBox& secrets, RdsPaths paths, PortAllocator& ports,
                       kms::KeyManager& keys, EndpointProxies* proxies = nullptr, KeyedJobs* copies = nullptr)
      : copies_(copies),
        engine_(engine),
        secrets_(secrets),
        paths_(std::move(paths)),
        ports_(ports),
        keys_(keys),
        multiAz_(engine_, secrets_, paths_, proxies),
        endpoints_(engine_, secrets_, paths_, proxies) {}
  std::string kind() const override;
  StepOutcome step(Resource& instance, ReconcileContext& ctx) override;

 private:
  // A copy of the instance's primary under way acts on the same servers as
  // a step would: a deletion (or a stop of a Multi-AZ instance) cuts it
  // short, any other step waits for it to end; then a step whose record a
  // copy changed meanwhile starts again from the new one. True while the
  // step must wait.
  bool heldByCopy(const Resource& instance, ReconcileContext& ctx);
  StepOutcome create(Resource& instance, const EngineLayout& layout, ReconcileContext& ctx);
  StepOutcome backUp(Resource& instance, const EngineLayout& layout, ReconcileContext& ctx);
  StepOutcome remove(Resource& instance, const EngineLayout& layout, ReconcileContext& ctx);
  // Restores `layout` from a snapshot's files, opening them first when sealed.
  Result<bool> restoreFrom(const Resource& instance, const Resource& snapshot, const EngineLayout& layout,
                           std::optional<SystemTime> until, const std::filesystem::path& walArchive);
  // The same from backup files (sealed ones opened with keys of `place`).
  Result<bool> restoreFiles(const Resource& instance, const std::filesystem::path& files, const kms::Place& place,
                            const EngineLayout& layout, std::optional<SystemTime> until,
                            const std::filesystem::path& walArchive);
  // A successful restore's files synced (every file and folder under the
  // instance's): its result, or the error of the sync.
  Result<bool> syncRestored(Result<bool> restored, const EngineLayout& layout);
  // Aurora cluster members (cluster_member.cpp). The files of a new member:
  // the writer's from the cluster's data (its volume, the snapshot or point
  // in time it was restored from, or new), a reader's from the writer.
  StepOutcome makeMemberFiles(Resource& instance, const EngineLayout& layout, ReconcileContext& ctx);
  // A started member: the cluster's endpoints include it.
  void joinCluster(Resource& instance, ReconcileContext& ctx);
  // A member being deleted: a writer with readers waits for the cluster to
  // fail over to one; the last writer leaves its data in the cluster's
  // volume. Empty when the deletion goes on.
  std::optional<StepOutcome> leaveCluster(Resource& instance, const EngineLayout& layout, ReconcileContext& ctx);
  // Read replicas (read_replica.cpp): a new replica's files, streamed from
  // its source's primary; a source being deleted waits for replicas still
  // being made, then has its replicas promoted once it has stopped.
  StepOutcome makeReplicaFiles(Resource& instance, const EngineLayout& layout, ReconcileContext& ctx);
  std::optional<StepOutcome> awaitNewReplicas(const Resource& instance, ReconcileContext& ctx);
  void promoteReplicasOf(const Resource& instance, ReconcileContext& ctx);
  // A system update applied (system_update.cpp): its records go, an event says so.
  void finishSystemUpdate(Resource& instance, ReconcileContext& ctx);
  void noteStarted(Resource& instance);
  StepOutcome failOver(Resource& instance, ReconcileContext& ctx);
  // ModifyDBInstance --multi-az / --no-multi-az (multi_az_conversion.cpp).
  StepOutcome convertMultiAz(Resource& instance, ReconcileContext& ctx);
  StepOutcome failStep(Resource& instance, ReconcileContext& ctx, const ApiError& error, const char* status);

  KeyedJobs* copies_;
  InstanceEngine& engine_;
  const SecretBox& secrets_;
  RdsPaths paths_;
  PortAllocator& ports_;
  kms::KeyManager& keys_;  // opens sealed snapshots for restores
  MultiAz multiAz_;
  ClusterEndpoints endpoints_;
};

// Which server a standby streams from (state.Upstream of a read replica).
std::string upstreamKey(const EngineLayout& upstream);

// The name RDS gives an automated snapshot: rds:<instance>-YYYY-MM-DD-HH-MM.
std::string automatedSnapshotName(const std::string& instance, SystemTime at);

}  // namespace kura::rds
