#pragma once
// The collection task behind /_kura/metrics' resource gauges: every few
// seconds it walks the catalog, probes each running engine (as the
// supervisors do) and publishes to the board:
//   kura_engine_up                 1 if the engine answers its probe, else 0
//                                  (RDS instances and Multi-AZ standbys,
//                                  Redis nodes and group members, Memcached
//                                  nodes)
//   kura_replication_lag_seconds   RDS read replicas, Multi-AZ standbys and
//                                  Aurora readers (as ReplicaLag)
//   kura_replication_lag_bytes     Redis replicas: primary offset - theirs
//   kura_backup_age_seconds        now - the newest available snapshot
//   kura_restorable_lag_seconds    now - LatestRestorableTime
//   kura_connections               client sessions of an RDS instance
//   kura_store_bytes               Kura's own stores on disk
//   kura_dynamodb_cache_bytes      what the DynamoDB store's memory budget
//                                  holds, by part (data, index, filter,
//                                  memtables, other)
//   kura_dynamodb_cache_capacity_bytes  that budget
//   kura_dynamodb_index_filter_bytes  the index and filter blocks of all
//                                  the store's table files (part)
//   kura_metrics_collection_seconds  how long the last pass took
// Resources that are being created, stopped or deleted have no engine-up
// series (they are not down). Labels: account, region, kind, name (and node).
#include <chrono>
#include <filesystem>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "cache/cache_paths.h"
#include "catalog/catalog.h"
#include "common/periodic_task.h"
#include "common/secret_box.h"
#include "engines/memcached_engine.h"
#include "engines/redis_engine.h"
#include "metrics/gauge_board.h"
#include "rds/instance_engine.h"
#include "rds/rds_layout.h"

namespace kura::ddb {
class TableStore;
}

namespace kura {

struct ResourceMetricSources {
  Catalog* catalog = nullptr;
  std::filesystem::path dataDir;
  ClockPtr clock;
  rds::InstanceEngine* rdsEngine = nullptr;  // null: no RDS engine installed
  const rds::RdsPaths* rdsPaths = nullptr;
  const SecretBox* secrets = nullptr;
  engines::RedisEngine* redis = nullptr;
  engines::MemcachedEngine* memcached = nullptr;
  const cache::CachePaths* cachePaths = nullptr;
  const ddb::TableStore* tableStore = nullptr;  // null: no DynamoDB store
};

class ResourceMetrics {
 public:
  ResourceMetrics(ResourceMetricSources sources, metrics::GaugeBoard& board,
                  std::chrono::milliseconds interval = std::chrono::seconds(5));
  void start() { task_.start(); }
  void stop() { task_.stop(); }
  // One pass (the task runs it every interval).
  void collectOnce();

 private:
  // What a pass reports of an RDS instance that runs no engine (stopped,
  // say), kept by the record's version: the next passes read its row's
  // columns, not its parsed record, until the record changes (at 10,000
  // stopped instances the parsing was most of the collector's time).
  struct Settled {
    int64_t version = 0;
    std::optional<double> latestRestorable;
  };

  ResourceMetricSources sources_;
  metrics::GaugeBoard& board_;
  std::mutex settledMutex_;  // one pass at a time uses settled_
  std::unordered_map<int64_t, Settled> settled_;  // by the instance's id
  PeriodicTask task_;
};

}  // namespace kura
