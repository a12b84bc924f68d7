// The part of RdsSupervisor that records an instance's CloudWatch metrics
// (AWS/RDS, dimension DBInstanceIdentifier) every few seconds while it is
// available: DatabaseConnections when the engine answers (so that a server
// that does not answer leaves a gap an alarm can treat as breaching), and
// FreeStorageSpace: what its files leave of its AllocatedStorage, at most
// what the file system that holds them has free.
#include <sys/statvfs.h>

#include "rds/rds_supervisor.h"
#include "rds/storage_use.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

constexpr auto kMetricsEvery = std::chrono::seconds(5);

}  // namespace

bool RdsSupervisor::metricsDue(const Resource& instance) {
  if (!metrics_) return false;
  auto steadyNow = std::chrono::steady_clock::now();
  auto& recordedAt = metricsRecordedAt_[instance.arn];
  if (steadyNow - recordedAt < kMetricsEvery) return false;
  recordedAt = steadyNow;
  return true;
}

void RdsSupervisor::recordMetrics(const Resource& instance, const EngineLayout& layout) {
  if (auto sessions = engine_.connections(layout)) {
    metrics_(instance, "DatabaseConnections", static_cast<double>(*sessions), "Count");
  }
  struct statvfs disk {};
  if (::statvfs(layout.dir.c_str(), &disk) == 0) {
    uint64_t fileSystemFree = static_cast<uint64_t>(disk.f_bavail) * disk.f_frsize;
    // What is left of the allocation (storage_watch.cpp); an Aurora
    // member's storage is the cluster's volume, which has none: the file
    // system's. Until an instance's files are first measured, none.
    auto used = measuredStorage(instance.arn);
    if (used) {
      uint64_t free = freeStorageBytes(instance.spec.value("AllocatedStorage", int64_t{20}), *used, fileSystemFree);
      metrics_(instance, "FreeStorageSpace", static_cast<double>(free), "Bytes");
    } else if (isClusterMember(instance)) {
      metrics_(instance, "FreeStorageSpace", static_cast<double>(fileSystemFree), "Bytes");
    }
  }
}

}  // namespace kura::rds
