#include "services/rds/stop_limit.h"

#include "services/rds/cluster_records.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

// The cluster and its members moved to `status` towards `goal`, together,
// if each member is where the move starts from (`from`, or failed).
Result<Resource> recordClusterMove(Catalog& catalog, Resource cluster, const char* from, const char* status,
                                   const char* goal) {
  return catalog.transact([&]() -> Result<Resource> {
    for (Resource member : clusterMembers(catalog, cluster)) {
      if (member.status != from && member.status != kFailed) {
        return ApiError::sender("InvalidDBInstanceState", "DB instance " + member.name + " of cluster " +
                                                              cluster.name + " is " + member.status + ".");
      }
      member.status = status;
      member.goal = goal;
      // The writer starts with its commits waiting for no reader: readers
      // start beside it, and the supervisor asks for one again once one
      // streams (cluster_watch.cpp).
      member.state["SynchronousReaders"] = false;
      if (auto stored = catalog.updateResource(member); !stored) return stored.error();
    }
    cluster.status = status;
    cluster.goal = goal;
    return catalog.updateResource(cluster);
  });
}

}  // namespace

std::optional<SystemTime> automaticRestartTime(const Resource& resource, std::chrono::seconds limit) {
  if (limit.count() <= 0 || resource.status != kStopped || resource.goal != kStopped) return std::nullopt;
  SystemTime stoppedAt = resource.updatedAt;
  if (resource.state.contains("StoppedAt")) {
    stoppedAt = SystemTime(std::chrono::duration_cast<SystemTime::duration>(
        std::chrono::duration<double>(resource.state.value("StoppedAt", 0.0))));
  }
  return stoppedAt + limit;
}

Result<Resource> recordClusterStopping(Catalog& catalog, Resource cluster) {
  return recordClusterMove(catalog, std::move(cluster), kAvailable, kStopping, kStopped);
}

Result<Resource> recordClusterStarting(Catalog& catalog, Resource cluster) {
  return recordClusterMove(catalog, std::move(cluster), kStopped, kStarting, kAvailable);
}

}  // namespace kura::rds
