#pragma once
// Watches every ElastiCache cache cluster between reconcile steps, once a
// second:
//  - an available cluster whose server (or Memcached node) is not running is
//    started again
//    (after a crash of Kura the server is adopted or restarted), with an
//    event;
//  - a replication group's primary that died or stopped answering is fenced
//    and its furthest replica promoted (automatic failover; without it the
//    primary is restarted in place), a dead replica restarted, and the
//    endpoints kept on the current primary and a replica;
//  - a change of the clients' users recorded while a cluster or group was
//    busy is set on its running nodes;
//  - the modifications held for a maintenance window are
//    applied when the window opens;
//  - every few seconds, its CloudWatch metrics (cache_metrics.h);
//  - the daily automatic snapshot is recorded inside SnapshotWindow when
//    SnapshotRetentionLimit > 0 (the snapshot controller takes it), and
//    automatic snapshots older than that many days are deleted.
// At shutdown it stops the servers.
#include <map>
#include <vector>

#include "cache/cache_metrics.h"
#include "cache/cache_paths.h"
#include "cache/cluster_mode_watch.h"
#include "cache/node_endpoints.h"
#include "cache/node_locks.h"
#include "cache/replication_group.h"
#include "catalog/catalog.h"
#include "common/periodic_task.h"
#include "engines/memcached_engine.h"
#include "engines/redis_engine.h"
#include "reconcile/reconciler.h"

namespace kura::cache {

class CacheSupervisor {
 public:
  // `memcached`: null when memcached is not installed.
  CacheSupervisor(Catalog& catalog, Reconciler& reconciler, engines::RedisEngine& engine,
                  engines::MemcachedEngine* memcached, CachePaths paths, ClockPtr clock, EndpointProxies* proxies,
                  NodeLocks& locks);
  ~CacheSupervisor();
  // Routes every node's endpoint first (a restarted Kura's proxy has none
  // yet, and the API answers already), then watches.
  void start();
  // Stops watching and stops every server.
  void stop();
  // One pass (tests call it directly).
  void checkOnce();
  // Where the CloudWatch metrics go (none: they are not read).
  void setMetricSink(CacheMetricSink sink) { metrics_.setSink(std::move(sink)); }

 private:
  void routeEndpoints();
  void watch(const Resource& cluster);
  // Applies what a cluster's or group's Modify held for its maintenance
  // window, once the window is open (catalog/pending_maintenance.h), with
  // an event.
  void applyMaintenance(Resource& owner);
  void watchMemcached(const Resource& cluster);
  void watchGroup(Resource group);
  // A replication group's datapoints: each node group's primary read first,
  // then its replicas.
  void recordGroupMetrics(const Resource& group);
  // Sets the clients' users recorded while the resource was busy on its
  // running nodes (client_users.h); false when they could not be set yet.
  bool catchUpClientUsers(Resource& owner, const std::vector<engines::RedisLayout>& nodes);
  // Daily automatic snapshots of a cluster or group, and their pruning.
  void keepAutomaticSnapshots(const Resource& source);
  void takeAutomaticSnapshot(Resource source, SystemTime now);
  void pruneAutomaticSnapshots(const Resource& source, SystemTime now);

  Catalog& catalog_;
  Reconciler& reconciler_;
  engines::RedisEngine& engine_;
  engines::MemcachedEngine* memcached_;
  CachePaths paths_;
  ClockPtr clock_;
  NodeLocks& locks_;
  ReplicationGroups groups_;
  ClusterModeWatch clusterMode_;  // groups with cluster mode enabled
  CacheMetrics metrics_;
  NodeEndpoints nodeEndpoints_;  // a cache cluster's, routed every pass (a restart of Kura has none)
  std::map<std::string, int> unanswered_;  // group ARN -> failed health checks of its primary in a row
  PeriodicTask task_;
};

// The name ElastiCache gives an automatic snapshot:
// automatic.<cluster>-YYYY-MM-DD-HH-MM.
std::string automaticSnapshotName(const std::string& cluster, SystemTime at);

}  // namespace kura::cache
