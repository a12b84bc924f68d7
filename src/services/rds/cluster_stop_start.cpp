// StopDBCluster and StartDBCluster: every server of an Aurora cluster
// stopped or started at once (services/rds/stop_limit.h). While stopped,
// the cluster keeps its endpoints, parameter groups, volume and WAL archive
// (a point-in-time restore from it still works), and it cannot be modified,
// failed over, snapshotted or given or relieved of instances, as in Aurora.
#include "services/rds/cluster_records.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

ApiError clusterState(std::string message) {
  return ApiError::sender("InvalidDBClusterStateFault", std::move(message));
}

}  // namespace

Result<Json> RdsApi::stopCluster(const RequestContext& c, const Json& in) {
  auto found = findCluster(c, in["DBClusterIdentifier"]);
  if (!found) return found.error();
  Resource cluster = *found;
  if (cluster.status != kAvailable || cluster.goal != kAvailable) {
    return clusterState("DbCluster " + cluster.name + " is in " + cluster.status + " state. Only an available " +
                        "cluster can be stopped.");
  }
  for (const Resource& member : clusterMembers(catalog_, cluster)) {
    if (member.status != kAvailable || member.goal != kAvailable) {
      return ApiError::sender("InvalidDBInstanceState", "DB instance " + member.name + " of cluster " + cluster.name +
                                                            " is in " + member.status + " state; try again once " +
                                                            "it is available.");
    }
  }
  auto stored = recordClusterStopping(catalog_, cluster);
  if (!stored) return stored.error();
  addEvent(*stored, "DB cluster is being stopped", {"notification"});
  reconciler_.wake();
  return Json{{"DBCluster", clusterJson(*stored)}};
}

Result<Json> RdsApi::startCluster(const RequestContext& c, const Json& in) {
  auto found = findCluster(c, in["DBClusterIdentifier"]);
  if (!found) return found.error();
  Resource cluster = *found;
  if (cluster.status != kStopped || cluster.goal != kStopped) {
    return clusterState("DbCluster " + cluster.name + " is in " + cluster.status + " state. Only a stopped " +
                        "cluster can be started.");
  }
  auto stored = recordClusterStarting(catalog_, cluster);
  if (!stored) return stored.error();
  addEvent(*stored, "DB cluster is being started", {"notification"});
  reconciler_.wake();
  return Json{{"DBCluster", clusterJson(*stored)}};
}

}  // namespace kura::rds
