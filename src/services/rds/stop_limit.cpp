#include "services/rds/stop_limit.h"

#include "services/rds/cluster_records.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

// The cluster and its members moved to `status` towards `goal`, together.
Result<Resource> recordClusterMove(Catalog& catalog, Resource cluster, const char* status, const char* goal) {
  return catalog.transact([&]() -> Result<Resource> {
    for (Resource member : clusterMembers(catalog, cluster)) {
      if (member.status == kDeleting) continue;
      member.status = status;
      member.goal = goal;
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
  return recordClusterMove(catalog, std::move(cluster), kStopping, kStopped);
}

Result<Resource> recordClusterStarting(Catalog& catalog, Resource cluster) {
  return recordClusterMove(catalog, std::move(cluster), kStarting, kAvailable);
}

}  // namespace kura::rds
