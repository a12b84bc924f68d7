#include "cache/cache_supervisor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <ctime>

#include "catalog/resource_event.h"
#include "cache/client_users.h"
#include "cache/memcached_nodes.h"
#include "cache/node_type_change.h"
#include "cache/parameter_apply.h"
#include "cache/snapshot_record.h"
#include "catalog/pending_maintenance.h"
#include "common/daily_window.h"
#include "common/descriptor_shortage.h"
#include "common/time_format.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

using namespace elasticache;
constexpr double kDaySeconds = 86400;

// After a start of a node found not running: "restarted" only when Kura
// started a server (one that came up meanwhile and was adopted ran on).
void addStartEvent(Catalog& catalog, const Resource& owner, const std::string& node,
                   const Result<bool>& started) {
  if (!started) {
    addResourceEvent(catalog, owner, node + " could not be restarted: " + started.error().message, "notification");
  } else if (started.value()) {
    addResourceEvent(catalog, owner, node + " restarted", "notification");
  }
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
                                 engines::MemcachedEngine* memcached, CachePaths paths, ClockPtr clock,
                                 EndpointProxies* proxies, NodeLocks& locks)
    : catalog_(catalog),
      reconciler_(reconciler),
      engine_(engine),
      memcached_(memcached),
      paths_(std::move(paths)),
      clock_(std::move(clock)),
      locks_(locks),
      groups_(engine_, paths_, proxies),
      clusterMode_(catalog_, engine_, paths_, proxies),
      metrics_(engine_, memcached_, clock_),
      nodeEndpoints_(proxies),
      task_("elasticache supervisor", std::chrono::seconds(1), [this] { checkOnce(); }) {}

CacheSupervisor::~CacheSupervisor() { stop(); }

void CacheSupervisor::start() {
  routeEndpoints();
  task_.start();
}

void CacheSupervisor::routeEndpoints() {
  for (const char* kind : {kCluster, kReplicationGroup}) {
    for (const Resource& resource : catalog_.listAllOfKind(kind)) {
      if (resource.goal != kAvailable || resource.status == kCreating) continue;
      auto routed = resource.kind == kCluster                   ? nodeEndpoints_.route(resource)
                    : ClusterModeGroups::enabled(resource) ? clusterMode_.route(resource)
                                                           : groups_.route(resource);
      if (!routed) {
        spdlog::warn("msg=\"cannot route the endpoints\" resource={} error=\"{}\"", resource.name,
                     routed.error().message);
      }
    }
  }
}

void CacheSupervisor::stop() {
  if (!task_.stop()) return;
  for (const Resource& cluster : catalog_.listAllOfKind(kCluster)) {
    if (isMemcached(cluster)) {
      for (const std::string& node : memcachedNodeIds(cluster)) {
        if (memcached_ != nullptr) memcached_->stop(memcachedLayout(cluster, node, paths_));
      }
      continue;
    }
    engines::RedisLayout layout = nodeLayout(cluster, paths_);
    if (!engine_.running(layout)) continue;
    if (auto stopped = engine_.stop(layout); !stopped) {
      spdlog::error("msg=\"cannot stop Redis\" cluster={} error=\"{}\"", cluster.name, stopped.error().message);
    }
  }
  for (const Resource& group : catalog_.listAllOfKind(kReplicationGroup)) {
    if (auto stopped = groups_.stopAll(group); !stopped) {
      spdlog::error("msg=\"cannot stop Redis\" group={} error=\"{}\"", group.name, stopped.error().message);
    }
  }
}

void CacheSupervisor::checkOnce() {
  for (const char* kind : {kCluster, kReplicationGroup}) {
    for (const Resource& listed : catalog_.listAllOfKind(kind)) {
      // Under the resource's lock, as it is now (a deletion may have begun).
      auto guard = locks_.lock(listed.arn);
      auto current = catalog_.getResourceById(listed.id);
      if (!current) continue;
      if (current->kind == kCluster) {
        watch(*current);
      } else {
        watchGroup(*current);
      }
    }
  }
  metrics_.prune();
}

void CacheSupervisor::watchMemcached(const Resource& listed) {
  if (memcached_ == nullptr) return;
  Resource cluster = listed;
  for (const std::string& node : memcachedNodeIds(listed)) {
    auto layout = memcachedLayout(cluster, node, paths_);
    uint64_t mark = descriptorShortages();
    if (memcached_->running(layout)) continue;
    // A pid file unread for lack of descriptors: unknown, left as it is.
    if (judgeProbe(false, mark) == ProbeVerdict::kUnknown) {
      logProbeUnknown("memcached node " + cluster.name + "/" + node);
      continue;
    }
    auto started = memcached_->start(layout);
    if (started) noteNodeStartedAgain(catalog_, cluster, node);
    addResourceEvent(catalog_, cluster,
                     started ? "Cache node " + node + " restarted"
                             : "Cache node " + node + " could not be restarted: " + started.error().message,
                     "notification");
  }
  if (metrics_.due(cluster)) {
    std::vector<std::pair<std::string, engines::MemcachedLayout>> nodes;
    for (const std::string& node : memcachedNodeIds(cluster)) nodes.emplace_back(node, memcachedLayout(cluster, node, paths_));
    metrics_.recordMemcached(cluster, nodes);
  }
}

bool CacheSupervisor::catchUpClientUsers(Resource& owner, const std::vector<engines::RedisLayout>& nodes) {
  if (!clientUsersPending(owner)) return true;
  for (const engines::RedisLayout& layout : nodes) {
    if (!engine_.running(layout)) continue;  // it starts with them
    if (auto applied = engine_.applyClientUsers(layout); !applied) {
      spdlog::error("msg=\"cannot set the clients' users\" resource={} error=\"{}\"", owner.name,
                    applied.error().message);
      return false;
    }
  }
  markClientUsersApplied(owner);
  auto stored = catalog_.updateResource(owner);
  if (!stored) return false;  // changed meanwhile: the next pass sees it
  owner = *stored;
  return true;
}

void CacheSupervisor::applyMaintenance(Resource& owner) {
  Resource updated = owner;
  SystemTime now = clock_->now();
  auto applied = applyPendingMaintenance(updated, now, [now](Resource& record, const std::string& name,
                                                             const nlohmann::json& value) {
    // A new Redis node type: a smaller one once the data is seen to fit
    // (settleScaleDown, this pass).
    if (name == "CacheNodeType" && !isMemcached(record)) {
      changeNodeType(record, value.get<std::string>(), now);
      return true;
    }
    // A new node type: the node's maxmemory follows (reserved-memory-percent).
    if (name == "CacheNodeType" && value != record.spec.value(name, nlohmann::json())) {
      record.state["ParametersToApply"] = true;
    }
    record.spec[name] = value;
    return true;
  });
  if (applied.empty()) return;
  auto stored = catalog_.updateResource(updated);
  if (!stored) return;  // changed meanwhile: the next pass looks again
  owner = *stored;
  std::string names;
  for (std::string name : applied) {
    if (name == "CacheNodeType" && !heldScaleDown(owner).empty()) {
      name += " (a smaller type: put into effect once every node's data is seen to fit it)";
    }
    names += (names.empty() ? "" : ", ") + name;
  }
  addResourceEvent(catalog_, owner, "Applied the modifications pending for the maintenance window: " + names,
                   "maintenance");
}

void CacheSupervisor::watch(const Resource& listed) {
  if (listed.status != kAvailable || listed.goal != kAvailable) return;
  if (auto routed = nodeEndpoints_.route(listed); !routed) {
    spdlog::error("msg=\"cannot route the cluster's nodes\" cluster={} error=\"{}\"", listed.name, routed.error().message);
  }
  Resource cluster = listed;
  applyMaintenance(cluster);
  if (isMemcached(cluster)) return watchMemcached(cluster);
  engines::RedisLayout layout = nodeLayout(cluster, paths_);
  catchUpClientUsers(cluster, {layout});
  if (settleScaleDown(catalog_, engine_, cluster, {layout}, clock_->now())) layout = nodeLayout(cluster, paths_);
  applyPendingParameters(catalog_, engine_, cluster, {layout});
  uint64_t mark = descriptorShortages();
  if (!engine_.running(layout)) {
    if (judgeProbe(false, mark) == ProbeVerdict::kUnknown) return logProbeUnknown("redis node " + cluster.name);
    auto started = engine_.start(layout);
    if (started && *started) noteNodeStartedAgain(catalog_, cluster, kNodeId);
    addStartEvent(catalog_, cluster, std::string("Cache node ") + kNodeId, started);
    if (!started) return;
  }
  if (metrics_.due(cluster)) metrics_.recordRedis(cluster, cluster.name, layout, std::nullopt);
  keepAutomaticSnapshots(cluster);
}

void CacheSupervisor::recordGroupMetrics(const Resource& group) {
  if (!metrics_.due(group)) return;
  auto record = [&](const std::string& primary, const std::vector<std::string>& members, const auto& layoutOf) {
    std::optional<long long> primaryOffset;
    if (!primary.empty()) primaryOffset = metrics_.recordRedis(group, primary, layoutOf(primary), std::nullopt);
    for (const std::string& member : members) {
      if (member != primary) metrics_.recordRedis(group, member, layoutOf(member), primaryOffset);
    }
  };
  if (ClusterModeGroups::enabled(group)) {
    ClusterModeGroups shards(engine_, paths_, nullptr);
    auto layoutOf = [&](const std::string& member) { return shards.layout(group, member); };
    for (const std::string& nodeGroup : ClusterModeGroups::nodeGroups(group)) {
      record(ClusterModeGroups::primaryOf(group, nodeGroup), ClusterModeGroups::membersOf(group, nodeGroup), layoutOf);
    }
    return;
  }
  auto layoutOf = [&](const std::string& member) { return memberLayout(group, member, paths_); };
  record(ReplicationGroups::primary(group), ReplicationGroups::members(group), layoutOf);
}

void CacheSupervisor::watchGroup(Resource group) {
  if (group.status != kAvailable || group.goal != kAvailable) return;
  applyMaintenance(group);
  if (ClusterModeGroups::enabled(group)) {
    catchUpClientUsers(group, clusterMode_.layouts(group));
    settleScaleDown(catalog_, engine_, group, clusterMode_.layouts(group), clock_->now());
    applyPendingParameters(catalog_, engine_, group, clusterMode_.layouts(group));
    clusterMode_.watch(group);
    recordGroupMetrics(group);
    return keepAutomaticSnapshots(group);
  }
  auto layouts = [&] {
    std::vector<engines::RedisLayout> nodes;
    for (const std::string& member : ReplicationGroups::members(group)) {
      nodes.push_back(memberLayout(group, member, paths_));
    }
    return nodes;
  };
  std::vector<engines::RedisLayout> nodes = layouts();
  catchUpClientUsers(group, nodes);
  if (settleScaleDown(catalog_, engine_, group, nodes, clock_->now())) nodes = layouts();
  applyPendingParameters(catalog_, engine_, group, nodes);
  std::string primary = ReplicationGroups::primary(group);
  engines::RedisLayout primaryLayout = memberLayout(group, primary, paths_);
  uint64_t mark = descriptorShortages();
  bool running = engine_.running(primaryLayout);
  bool answers = running && engine_.healthy(primaryLayout);
  // Kura out of descriptors cannot tell a dead primary from a live one: no
  // failover, no restart, no count towards one.
  if (judgeProbe(answers, mark) == ProbeVerdict::kUnknown) {
    return logProbeUnknown("redis primary " + group.name + "/" + primary);
  }
  int& unanswered = unanswered_[group.arn];
  unanswered = answers ? 0 : unanswered + 1;
  if (!running || unanswered >= 2) {
    unanswered = 0;
    bool failover = group.spec.value("AutomaticFailoverEnabled", false) && ReplicationGroups::members(group).size() > 1;
    if (failover) {
      spdlog::warn("msg=\"replication group primary lost: failing over\" group={} running={}", group.name, running);
      auto chosen = groups_.failOver(group, /*planned=*/false);
      if (chosen) {
        auto stored = catalog_.updateResource(group);
        addResourceEvent(catalog_, group,
                         "Failover from primary node " + primary + " to replica node " + *chosen + " completed",
                         "failover");
        if (!stored) return;
        group = *stored;
      } else {
        spdlog::error("msg=\"failover failed\" group={} error=\"{}\"", group.name, chosen.error().message);
        failover = false;
      }
    }
    if (!failover) {
      // No replica to take over: the primary starts again where it is (a
      // hung one is killed first).
      engine_.fence(primaryLayout);
      auto started = engine_.start(primaryLayout);
      if (started && *started) noteNodeStartedAgain(catalog_, group, primary);
      addResourceEvent(catalog_, group,
                       started ? "Cache node 0001 of " + primary + " restarted"
                               : "Cache node 0001 of " + primary +
                                     " could not be restarted: " + started.error().message,
                       "notification");
    }
  }
  // Dead replicas (an old primary among them) come back following the primary.
  for (const std::string& member : ReplicationGroups::members(group)) {
    engines::RedisLayout layout = memberLayout(group, member, paths_);
    uint64_t memberMark = descriptorShortages();
    if (member == ReplicationGroups::primary(group) || engine_.running(layout)) continue;
    if (judgeProbe(false, memberMark) == ProbeVerdict::kUnknown) {
      logProbeUnknown("redis replica " + group.name + "/" + member);
      continue;
    }
    auto started = engine_.start(layout);
    if (started && *started) noteNodeStartedAgain(catalog_, group, member);
    addStartEvent(catalog_, group, "Cache node 0001 of " + member, started);
  }
  // Every pass: the endpoints are on the primary and a replica (this also
  // restores them after a restart of Kura).
  if (auto routed = groups_.route(group); !routed) {
    spdlog::error("msg=\"cannot route the group's endpoints\" group={} error=\"{}\"", group.name,
                  routed.error().message);
  }
  recordGroupMetrics(group);
  keepAutomaticSnapshots(group);
}

void CacheSupervisor::keepAutomaticSnapshots(const Resource& source) {
  SystemTime now = clock_->now();
  int retention = source.spec.value("SnapshotRetentionLimit", 0);
  if (retention <= 0) return;
  double last = source.state.value("LastAutomaticSnapshot", 0.0);
  double age = toEpochSeconds(now) - last;
  // At most one a window; a window missed (Kura was down) is made up a day later.
  if (age >= kDaySeconds / 2 &&
      (insideDailyWindow(source.spec.value("SnapshotWindow", ""), now) || age > kDaySeconds + 3600)) {
    takeAutomaticSnapshot(source, now);
  }
  pruneAutomaticSnapshots(source, now);
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
