#pragma once
// Drives Aurora DB clusters: creating -> available (the cluster's endpoint
// ports are Kura's at once; its data comes with its first instance, the
// writer); failing-over (FailoverDBCluster, the deletion of a writer that
// has readers, or a writer the supervisor found dead or hung) -> available;
// stopping -> stopped and starting -> available (StopDBCluster and
// StartDBCluster: the instance controller stops or starts each server);
// deleting (after the final snapshot) -> deleted.
//
// A failover fences the old writer first (stopped cleanly when planned,
// which hands every commit to the readers; killed otherwise), records the
// new writer (the reader asked for, else the one furthest ahead), then
// promotes it and re-points the endpoints. The supervisor rebuilds the
// other readers, and the old writer, as readers of the new one.
#include "common/secret_box.h"
#include "rds/aurora_cluster.h"
#include "rds/instance_engine.h"
#include "rds/rds_layout.h"
#include "reconcile/controller.h"
#include "services/rds/port_allocator.h"

namespace kura::rds {

class DbClusterController final : public Controller {
 public:
  DbClusterController(InstanceEngine& engine, const SecretBox& secrets, RdsPaths paths, PortAllocator& ports,
                      EndpointProxies* proxies)
      : engine_(engine), secrets_(secrets), paths_(std::move(paths)), ports_(ports), endpoints_(engine_, secrets_, paths_, proxies) {}
  std::string kind() const override;
  StepOutcome step(Resource& cluster, ReconcileContext& ctx) override;

 private:
  StepOutcome switchWriter(Resource& cluster, ReconcileContext& ctx);
  StepOutcome promoteWriter(Resource& cluster, ReconcileContext& ctx);
  StepOutcome remove(Resource& cluster, ReconcileContext& ctx);
  StepOutcome settleStopOrStart(Resource& cluster, ReconcileContext& ctx);
  StepOutcome endFailover(Resource& cluster, ReconcileContext& ctx, const std::string& message);

  InstanceEngine& engine_;
  const SecretBox& secrets_;
  RdsPaths paths_;
  PortAllocator& ports_;
  ClusterEndpoints endpoints_;
};

}  // namespace kura::rds
