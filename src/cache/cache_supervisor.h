#pragma once
// Watches every ElastiCache cache cluster between reconcile steps, once a
// second:
//  - an available cluster whose server is not running is started again
//    (after a crash of Kura the server is adopted or restarted), with an
//    event;
//  - the daily automatic snapshot is recorded inside SnapshotWindow when
//    SnapshotRetentionLimit > 0 (the snapshot controller takes it), and
//    automatic snapshots older than that many days are deleted.
// At shutdown it stops the servers.
#include "cache/cache_paths.h"
#include "catalog/catalog.h"
#include "common/periodic_task.h"
#include "engines/redis_engine.h"
#include "reconcile/reconciler.h"

namespace kura::cache {

class CacheSupervisor {
 public:
  CacheSupervisor(Catalog& catalog, Reconciler& reconciler, engines::RedisEngine& engine, CachePaths paths,
                  ClockPtr clock);
  ~CacheSupervisor();
  void start();
  // Stops watching and stops every server.
  void stop();
  // One pass (tests call it directly).
  void checkOnce();

 private:
  void watch(const Resource& cluster);
  void takeAutomaticSnapshot(Resource cluster, SystemTime now);
  void pruneAutomaticSnapshots(const Resource& cluster, SystemTime now);

  Catalog& catalog_;
  Reconciler& reconciler_;
  engines::RedisEngine& engine_;
  CachePaths paths_;
  ClockPtr clock_;
  PeriodicTask task_;
};

// The name ElastiCache gives an automatic snapshot:
// automatic.<cluster>-YYYY-MM-DD-HH-MM.
std::string automaticSnapshotName(const std::string& cluster, SystemTime at);

}  // namespace kura::cache
