// The part of RdsSupervisor that records an instance's CloudWatch metrics
// (AWS/RDS, dimension DBInstanceIdentifier) every few seconds while it is
// available: DatabaseConnections when the engine answers (so that a server
// that does not answer leaves a gap an alarm can treat as breaching), and
// FreeStorageSpace of the file system that holds its data.
#include <sys/statvfs.h>

#include "rds/rds_supervisor.h"

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
    metrics_(instance, "FreeStorageSpace", static_cast<double>(disk.f_bavail) * static_cast<double>(disk.f_frsize),
             "Bytes");
  }
}

}  // namespace kura::rds
