#include "main/resource_metrics.h"

#include <map>
#include <vector>

#include "cache/cluster_mode.h"
#include "cache/memcached_nodes.h"
#include "cache/replication_group.h"
#include "common/time_format.h"
#include "ddb/table_store.h"
#include "metrics/store_sizes.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/rds/rds_kinds.h"

namespace kura {
namespace {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;
constexpr auto kProbeTimeout = std::chrono::milliseconds(500);

LabelPairs labelsOf(const Resource& resource, const std::string& node = "") {
  LabelPairs labels{{"account", resource.accountId},
                    {"region", resource.region},
                    {"kind", resource.kind},
                    {"name", resource.name}};
  if (!node.empty()) labels.emplace_back("node", node);
  return labels;
}

// Whether an engine should be running now (one being created, stopped or
// deleted is not counted as down).
bool shouldRun(const Resource& resource) {
  for (const char* status : {"creating", "stopped", "stopping", "starting", "deleting", "deleted"}) {
    if (resource.status == status) return false;
  }
  return resource.goal != "deleted" && resource.goal != "stopped";
}

std::string ownerKey(const std::string& account, const std::string& region, const std::string& name) {
  return account + '\n' + region + '\n' + name;
}

}  // namespace

ResourceMetrics::ResourceMetrics(ResourceMetricSources sources, metrics::GaugeBoard& board,
                                 std::chrono::milliseconds interval)
    : sources_(std::move(sources)), board_(board), task_("metrics collection", interval, [this] { collectOnce(); }) {}

void ResourceMetrics::collectOnce() {
  auto started = std::chrono::steady_clock::now();
  Catalog& catalog = *sources_.catalog;
  double now = toEpochSeconds(sources_.clock->now());
  metrics::GaugeFamily up{"kura_engine_up", "1 if the resource's engine answers its probe, 0 if not.", {}, 0};
  metrics::GaugeFamily lag{"kura_replication_lag_seconds",
                           "How far a replica's replay is behind its source (RDS ReplicaLag).", {}, 0};
  metrics::GaugeFamily lagBytes{"kura_replication_lag_bytes",
                                "Bytes of the replication stream a Redis replica has yet to process.", {}, 0};
  metrics::GaugeFamily backupAge{"kura_backup_age_seconds",
                                 "Seconds since the newest available snapshot of the resource was taken.", {}, 0};
  metrics::GaugeFamily restorable{"kura_restorable_lag_seconds",
                                  "Seconds between now and the resource's LatestRestorableTime.", {}, 0};
  metrics::GaugeFamily connections{"kura_connections", "Client sessions open on the resource's engine.", {}, 0};
  metrics::GaugeFamily stores{"kura_store_bytes", "Bytes Kura's own stores take on disk.", {}, 0};

  // The newest snapshot of each owner: kind of owner -> key -> time.
  std::map<std::string, double> newestSnapshot;
  auto noteSnapshots = [&](const char* kind, const char* ownerField, const char* ownerPrefix) {
    for (const Resource& snapshot : catalog.listAllOfKind(kind)) {
      if (snapshot.status != "available" || !snapshot.state.contains("SnapshotCreateTime")) continue;
      std::string owner = snapshot.spec.value(ownerField, "");
      if (owner.empty()) continue;
      double taken = snapshot.state["SnapshotCreateTime"].get<double>();
      double& newest = newestSnapshot[ownerPrefix + ownerKey(snapshot.accountId, snapshot.region, owner)];
      newest = std::max(newest, taken);
    }
  };
  noteSnapshots(rds::kSnapshot, "DBInstanceIdentifier", "i:");
  noteSnapshots(rds::kClusterSnapshot, "DBClusterIdentifier", "c:");
  noteSnapshots(elasticache::kSnapshot, "CacheClusterId", "e:");
  noteSnapshots(elasticache::kSnapshot, "ReplicationGroupId", "g:");
  auto reportBackup = [&](const Resource& owner, const char* prefix) {
    auto found = newestSnapshot.find(prefix + ownerKey(owner.accountId, owner.region, owner.name));
    if (found != newestSnapshot.end()) backupAge.add(labelsOf(owner), std::max(0.0, now - found->second));
  };
  auto reportRestorable = [&](const Resource& owner) {
    if (owner.state.contains("LatestRestorableTime") && owner.state["LatestRestorableTime"].is_number()) {
      restorable.add(labelsOf(owner), std::max(0.0, now - owner.state["LatestRestorableTime"].get<double>()));
    }
  };

  std::unique_lock settledLock(settledMutex_);
  std::unordered_map<int64_t, Settled> settledNow;
  // A row whose record is as a pass last parsed it, and that runs no
  // engine, is reported from what that pass kept (its columns say as much:
  // status, goal, version, names), after the listing (the catalog is held
  // while `parseNeeded` runs).
  std::vector<Resource> unchanged;
  auto parseNeeded = [&](const Resource& row) {
    if (shouldRun(row)) return true;
    auto known = settled_.find(row.id);
    if (known == settled_.end() || known->second.version != row.version) return true;
    settledNow.insert(settled_.extract(known));
    unchanged.push_back(row);
    return false;
  };
  std::vector<Resource> instances = catalog.listAllOfKind(rds::kInstance, parseNeeded);
  for (const Resource& row : unchanged) {
    reportBackup(row, "i:");
    const Settled& kept = settledNow.at(row.id);
    if (kept.latestRestorable) restorable.add(labelsOf(row), std::max(0.0, now - *kept.latestRestorable));
  }
  for (const Resource& instance : instances) {
    reportBackup(instance, "i:");
    reportRestorable(instance);
    if (!shouldRun(instance)) {
      Settled& kept = settledNow[instance.id];
      kept.version = instance.version;
      if (instance.state.contains("LatestRestorableTime") && instance.state["LatestRestorableTime"].is_number()) {
        kept.latestRestorable = instance.state["LatestRestorableTime"].get<double>();
      }
    }
    if (sources_.rdsEngine == nullptr || !shouldRun(instance)) continue;
    rds::InstanceEngine& engine = *sources_.rdsEngine;
    auto layout = rds::layoutOf(instance, *sources_.rdsPaths, *sources_.secrets);
    if (!layout) continue;
    bool answers = engine.healthy(*layout, kProbeTimeout);
    up.add(labelsOf(instance, rds::isMultiAz(instance) ? rds::primaryNode(instance) : ""), answers ? 1 : 0);
    if (answers) {
      if (auto sessions = engine.connections(*layout)) connections.add(labelsOf(instance), static_cast<double>(*sessions));
    }
    if (answers && (rds::isReadReplica(instance) || rds::isClusterMember(instance))) {
      if (auto status = engine.replicaStatus(*layout)) lag.add(labelsOf(instance), status->lagSeconds);
    }
    if (rds::isMultiAz(instance)) {
      std::string standby = rds::standbyNode(instance);
      auto standbyLayout = rds::nodeLayoutOf(instance, standby, *sources_.rdsPaths, *sources_.secrets);
      if (!standbyLayout) continue;
      bool standbyAnswers = engine.healthy(*standbyLayout, kProbeTimeout);
      up.add(labelsOf(instance, standby), standbyAnswers ? 1 : 0);
      if (!standbyAnswers) continue;
      if (auto status = engine.replicaStatus(*standbyLayout)) lag.add(labelsOf(instance, standby), status->lagSeconds);
    }
  }
  settled_ = std::move(settledNow);  // instances gone since are forgotten
  settledLock.unlock();
  for (const Resource& cluster : catalog.listAllOfKind(rds::kCluster)) {
    reportBackup(cluster, "c:");
    reportRestorable(cluster);
  }

  for (const Resource& cluster : catalog.listAllOfKind(elasticache::kCluster)) {
    reportBackup(cluster, "e:");
    if (!shouldRun(cluster) || cluster.spec.contains("ReplicationGroupId")) continue;
    if (cache::isMemcached(cluster)) {
      if (sources_.memcached == nullptr) continue;
      for (const std::string& node : cache::memcachedNodeIds(cluster)) {
        bool answers = sources_.memcached->healthy(cache::memcachedLayout(cluster, node, *sources_.cachePaths));
        up.add(labelsOf(cluster, node), answers ? 1 : 0);
      }
      continue;
    }
    if (sources_.redis == nullptr) continue;
    bool answers = sources_.redis->healthy(cache::nodeLayout(cluster, *sources_.cachePaths));
    up.add(labelsOf(cluster, elasticache::kNodeId), answers ? 1 : 0);
  }
  // A group's members, each up or not, and each replica's lag behind its
  // primary in bytes of the replication stream.
  auto reportMembers = [&](const Resource& group, const std::string& primary, const std::vector<std::string>& members,
                           const auto& layoutOf) {
    std::optional<long long> primaryOffset;
    if (!primary.empty()) primaryOffset = sources_.redis->replicationOffset(layoutOf(primary));
    for (const std::string& member : members) {
      auto layout = layoutOf(member);
      bool answers = sources_.redis->healthy(layout);
      up.add(labelsOf(group, member), answers ? 1 : 0);
      if (!answers || member == primary || !primaryOffset) continue;
      if (auto offset = sources_.redis->replicationOffset(layout)) {
        lagBytes.add(labelsOf(group, member), static_cast<double>(std::max(0LL, *primaryOffset - *offset)));
      }
    }
  };
  for (const Resource& group : catalog.listAllOfKind(elasticache::kReplicationGroup)) {
    reportBackup(group, "g:");
    if (!shouldRun(group) || sources_.redis == nullptr) continue;
    if (cache::ClusterModeGroups::enabled(group)) {
      // Cluster mode: each node group (shard) has a primary of its own.
      cache::ClusterModeGroups shards(*sources_.redis, *sources_.cachePaths, nullptr);
      auto layoutOf = [&](const std::string& member) { return shards.layout(group, member); };
      for (const std::string& nodeGroup : cache::ClusterModeGroups::nodeGroups(group)) {
        reportMembers(group, cache::ClusterModeGroups::primaryOf(group, nodeGroup),
                      cache::ClusterModeGroups::membersOf(group, nodeGroup), layoutOf);
      }
      continue;
    }
    auto layoutOf = [&](const std::string& member) { return cache::memberLayout(group, member, *sources_.cachePaths); };
    reportMembers(group, cache::ReplicationGroups::primary(group), cache::ReplicationGroups::members(group), layoutOf);
  }

  for (auto& [store, bytes] : metrics::storeSizes(sources_.dataDir)) stores.add({{"store", store}}, bytes);
  metrics::GaugeFamily cacheBytes{"kura_dynamodb_cache_bytes",
                                  "What the DynamoDB store's memory budget (--dynamodb-cache-mb) holds, by part.", {},
                                  0};
  metrics::GaugeFamily cacheCapacity{"kura_dynamodb_cache_capacity_bytes",
                                     "The DynamoDB store's memory budget (--dynamodb-cache-mb).", {}, 0};
  metrics::GaugeFamily filesBytes{"kura_dynamodb_index_filter_bytes",
                                  "The index and filter blocks of all the DynamoDB store's table files: what its "
                                  "memory budget would hold if every one were read.",
                                  {}, 0};
  if (sources_.tableStore != nullptr) {
    ddb::StoreMemory memory = sources_.tableStore->memory();
    cacheCapacity.add({}, static_cast<double>(memory.capacity));
    for (auto [part, bytes] : {std::pair{"data", memory.data}, std::pair{"index", memory.index},
                               std::pair{"filter", memory.filter}, std::pair{"memtables", memory.memtables},
                               std::pair{"other", memory.other}}) {
      cacheBytes.add({{"part", part}}, static_cast<double>(bytes));
    }
    filesBytes.add({{"part", "index"}}, static_cast<double>(memory.filesIndex));
    filesBytes.add({{"part", "filter"}}, static_cast<double>(memory.filesFilter));
  }

  metrics::GaugeFamily pass{"kura_metrics_collection_seconds",
                            "How long the last collection of these gauges took (probes and store sizes).", {}, 0};
  pass.add({}, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  std::vector<metrics::GaugeFamily> families;
  for (auto* family : {&up, &lag, &lagBytes, &backupAge, &restorable, &connections, &stores, &cacheBytes,
                       &cacheCapacity, &filesBytes, &pass}) {
    families.push_back(std::move(*family));
  }
  board_.publish(std::move(families));
}

}  // namespace kura
