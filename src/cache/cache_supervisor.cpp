#include "cache/cache_supervisor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <ctime>

#include "cache/snapshot_record.h"
#include "common/daily_window.h"
#include "common/time_format.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

using namespace elasticache;
constexpr double kDaySeconds = 86400;

void addEvent(Catalog& catalog, const Resource& cluster, const std::string& message, const std::string& category) {
  Event event;
  event.accountId = cluster.accountId;
  event.region = cluster.region;
  event.sourceType = kCluster;
  event.sourceId = cluster.name;
  event.sourceArn = cluster.arn;
  event.message = message;
  event.categories = {category};
  catalog.addEvent(std::move(event));
}

}  // namespace

std::string automaticSnapshotName(const std::string& cluster, SystemTime at) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("automatic.{}-{:04}-{:02}-{:02}-{:02}-{:02}", cluster, utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min);
}

CacheSupervisor::CacheSupervisor(Catalog& catalog, Reconciler& reconciler, engines::RedisEngine& engine,
                                 CachePaths paths, ClockPtr clock)
    : catalog_(catalog),
      reconciler_(reconciler),
      engine_(engine),
      paths_(std::move(paths)),
      clock_(std::move(clock)),
      task_("elasticache supervisor", std::chrono::seconds(1), [this] { checkOnce(); }) {}

CacheSupervisor::~CacheSupervisor() { stop(); }

void CacheSupervisor::start() { task_.start(); }

void CacheSupervisor::stop() {
  if (!task_.stop()) return;
  for (const Resource& cluster : catalog_.listAllOfKind(kCluster)) {
    engines::RedisLayout layout = nodeLayout(cluster, paths_);
    if (!engine_.running(layout)) continue;
    if (auto stopped = engine_.stop(layout); !stopped) {
      spdlog::error("msg=\"cannot stop Redis\" cluster={} error=\"{}\"", cluster.name, stopped.error().message);
    }
  }
}

void CacheSupervisor::checkOnce() {
  for (const Resource& cluster : catalog_.listAllOfKind(kCluster)) watch(cluster);
}

void CacheSupervisor::watch(const Resource& cluster) {
  if (cluster.status != kAvailable || cluster.goal != kAvailable) return;
  engines::RedisLayout layout = nodeLayout(cluster, paths_);
  if (!engine_.running(layout)) {
    auto started = engine_.start(layout);
    addEvent(catalog_, cluster,
             started ? std::string("Cache node ") + kNodeId + " restarted"
                     : "Cache node " + std::string(kNodeId) + " could not be restarted: " + started.error().message,
             "notification");
    if (!started) return;
  }
  SystemTime now = clock_->now();
  int retention = cluster.spec.value("SnapshotRetentionLimit", 0);
  if (retention <= 0) return;
  double last = cluster.state.value("LastAutomaticSnapshot", 0.0);
  double age = toEpochSeconds(now) - last;
  // At most one a window; a window missed (Kura was down) is made up a day later.
  if (age >= kDaySeconds / 2 &&
      (insideDailyWindow(cluster.spec.value("SnapshotWindow", ""), now) || age > kDaySeconds + 3600)) {
    takeAutomaticSnapshot(cluster, now);
  }
  pruneAutomaticSnapshots(cluster, now);
}

void CacheSupervisor::takeAutomaticSnapshot(Resource cluster, SystemTime now) {
  Resource snapshot = newSnapshotRecord(cluster, automaticSnapshotName(cluster.name, now), "automated");
  // The snapshot and the cluster's note of it are written together: a crash
  // leaves both or neither.
  cluster.state["LastAutomaticSnapshot"] = toEpochSeconds(now);
  auto made = catalog_.transact([&]() -> Result<bool> {
    if (auto created = catalog_.createResource(snapshot); !created) return created.error();
    if (auto updated = catalog_.updateResource(cluster); !updated) return updated.error();
    return true;
  });
  if (made) reconciler_.wake();
}

void CacheSupervisor::pruneAutomaticSnapshots(const Resource& cluster, SystemTime now) {
  double retentionSeconds = cluster.spec.value("SnapshotRetentionLimit", 0) * kDaySeconds;
  for (Resource snapshot : catalog_.listAllOfKind(kSnapshot)) {
    if (snapshot.spec.value("SourceClusterArn", "") != cluster.arn ||
        snapshot.spec.value("SnapshotSource", "") != "automated" || snapshot.status != kAvailable) {
      continue;
    }
    if (toEpochSeconds(now) - snapshot.state.value("SnapshotCreateTime", 0.0) > retentionSeconds) {
      snapshot.status = kDeleting;
      snapshot.goal = kDeleted;
      if (catalog_.updateResource(snapshot)) reconciler_.wake();
    }
  }
}

}  // namespace kura::cache
