#pragma once
// ElastiCache's CloudWatch metrics (namespace AWS/ElastiCache), recorded by
// the cache supervisor's pass every few seconds for each available cluster
// and replication group, read from the engines as Kura reads them: Redis's
// INFO and memcached's `stats`, each over one connection of Kura's own, no
// process spawned and no thread of its own.
//
// Every node's datapoints carry the dimensions CacheClusterId (a
// replication group's member: its own id, as on ElastiCache) and
// CacheNodeId; each again with CacheClusterId alone (a Memcached cluster's:
// summed over its nodes, CPU averaged).
//  - Redis: CurrConnections, NewConnections, Evictions, CacheHits,
//    CacheMisses (the last four: how many since the previous datapoint),
//    CurrItems, BytesUsedForCache, DatabaseMemoryUsagePercentage (of
//    maxmemory, when the node has one), IsMaster, ReplicationLag (replicas:
//    seconds since the replica last had all its primary had),
//    EngineCPUUtilization (Redis's main thread, percent of one core) and
//    CPUUtilization (the server process, percent of the host's cores);
//  - Memcached: CurrConnections, NewConnections, Evictions, CurrItems,
//    GetHits, GetMisses, BytesUsedForCacheItems, UnusedMemory,
//    CPUUtilization.
// The connections Kura itself opened (probes, these reads) are not counted.
// What each node had at its previous datapoint is kept (a few numbers a
// node), and forgotten a minute after the node was last read.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/records.h"
#include "common/clock.h"
#include "engines/memcached_engine.h"
#include "engines/redis_engine.h"

namespace kura::cache {

using MetricDimensions = std::vector<std::pair<std::string, std::string>>;
struct CacheDatapoint {
  MetricDimensions dimensions;
  std::string name;
  double value = 0;
  std::string unit;
};
// A node's datapoints at once (one write), with the cluster or group they
// belong to.
using CacheMetricSink = std::function<void(const Resource&, std::vector<CacheDatapoint>)>;

class CacheMetrics {
 public:
  CacheMetrics(engines::RedisEngine& redis, engines::MemcachedEngine* memcached, ClockPtr clock);
  void setSink(CacheMetricSink sink) { sink_ = std::move(sink); }
  // Whether the owner's datapoints are due (every 5 s; marks them taken).
  bool due(const Resource& owner);
  // One Redis node of `owner` (member cluster `clusterId`, node 0001).
  // `primaryOffset`: for a replica, its primary's replication offset read
  // just before. Returns the node's own offset (master_repl_offset), empty
  // when it did not answer.
  std::optional<long long> recordRedis(const Resource& owner, const std::string& clusterId,
                                       const engines::RedisLayout& layout, std::optional<long long> primaryOffset);
  // A Memcached cluster's nodes (node id, layout).
  void recordMemcached(const Resource& cluster,
                       const std::vector<std::pair<std::string, engines::MemcachedLayout>>& nodes);
  // Forgets the nodes and owners no pass read for a minute.
  void prune();

 private:
  struct NodeHistory {
    std::chrono::steady_clock::time_point readAt{};
    double uptime = 0;
    std::map<std::string, double> counters;  // the engine's, and Kura's own connections
    double caughtUpAt = 0;                   // a replica: when it last had all its primary had (epoch s)
  };
  // The increase of each counter since the node's previous reading, and
  // the seconds between the two; empty for a node's first reading (unless
  // its server started after Kura did: its counters then count from 0).
  struct Deltas {
    std::map<std::string, double> counters;
    double seconds = 0;
  };
  std::optional<Deltas> advance(const std::string& node, double uptime, std::map<std::string, double> counters);
  void emit(const MetricDimensions& dimensions, const std::string& name, double value, const char* unit);
  void flush(const Resource& owner);

  engines::RedisEngine& redis_;
  engines::MemcachedEngine* memcached_;
  ClockPtr clock_;
  CacheMetricSink sink_;
  std::vector<CacheDatapoint> batch_;  // a node's, until flushed
  std::chrono::steady_clock::time_point started_;
  std::map<std::string, NodeHistory> nodes_;                              // node directory -> its history
  std::map<std::string, std::chrono::steady_clock::time_point> recorded_;  // owner ARN -> last datapoints
};

// "key:value" lines (Redis's INFO) or "STAT key value" lines (memcached's
// stats) as numbers; other lines and values that are not numbers are left out.
std::map<std::string, double> engineFigures(const std::string& text);

}  // namespace kura::cache
