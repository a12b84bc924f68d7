#include "cache/cache_metrics.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "common/time_format.h"

namespace kura::cache {
namespace {

constexpr double kMemcachedBackdate = 62;  // seconds, see the memcached metrics below

constexpr auto kEvery = std::chrono::seconds(5);
constexpr auto kForgetAfter = std::chrono::minutes(1);
constexpr const char* kOwn = "kura_connections";  // Kura's own connections, among a node's counters

std::optional<double> numberOf(std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

double processors() {
  long count = ::sysconf(_SC_NPROCESSORS_ONLN);
  return count > 0 ? static_cast<double>(count) : 1.0;
}

double figure(const std::map<std::string, double>& figures, const std::string& name) {
  auto found = figures.find(name);
  return found == figures.end() ? 0 : found->second;
}

}  // namespace

std::map<std::string, double> engineFigures(const std::string& text) {
  std::map<std::string, double> figures;
  std::istringstream lines(text);
  double keys = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string name;
    std::string value;
    if (line.rfind("STAT ", 0) == 0) {
      size_t space = line.find(' ', 5);
      if (space == std::string::npos) continue;
      name = line.substr(5, space - 5);
      value = line.substr(space + 1);
    } else {
      size_t colon = line.find(':');
      if (colon == std::string::npos || line[0] == '#') continue;
      name = line.substr(0, colon);
      value = line.substr(colon + 1);
    }
    if (name == "role") {
      figures["role_master"] = value == "master" ? 1 : 0;
    } else if (name.rfind("db", 0) == 0 && value.rfind("keys=", 0) == 0) {
      // db0:keys=3,expires=0,avg_ttl=0
      keys += numberOf(value.substr(5, value.find(',') - 5)).value_or(0);
    } else if (auto number = numberOf(value)) {
      figures[name] = *number;
    }
  }
  if (figures.count("role_master") != 0) figures["keyspace_keys"] = keys;
  return figures;
}

CacheMetrics::CacheMetrics(engines::RedisEngine& redis, engines::MemcachedEngine* memcached, ClockPtr clock)
    : redis_(redis), memcached_(memcached), clock_(std::move(clock)), started_(std::chrono::steady_clock::now()) {}

bool CacheMetrics::due(const Resource& owner) {
  if (!sink_) return false;
  auto now = std::chrono::steady_clock::now();
  auto& recordedAt = recorded_[owner.arn];
  if (now - recordedAt < kEvery) return false;
  recordedAt = now;
  return true;
}

void CacheMetrics::prune() {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(nodes_, [&](const auto& node) { return now - node.second.readAt > kForgetAfter; });
  std::erase_if(recorded_, [&](const auto& owner) { return now - owner.second > kForgetAfter; });
}

std::optional<CacheMetrics::Deltas> CacheMetrics::advance(const std::string& node, double uptime,
                                                          std::map<std::string, double> counters) {
  auto now = std::chrono::steady_clock::now();
  auto found = nodes_.find(node);
  std::optional<Deltas> deltas;
  if (found == nodes_.end()) {
    found = nodes_.emplace(node, NodeHistory{}).first;
    found->second.caughtUpAt = toEpochSeconds(clock_->now());
    // A server started since Kura was: everything it counted is new.
    if (uptime <= std::chrono::duration<double>(now - started_).count()) deltas = Deltas{counters, uptime};
  } else if (uptime < found->second.uptime) {
    deltas = Deltas{counters, uptime};  // restarted: its counters start again from 0
  } else {
    deltas = Deltas{{}, std::chrono::duration<double>(now - found->second.readAt).count()};
    for (const auto& [name, value] : counters) {
      deltas->counters[name] = std::max(0.0, value - figure(found->second.counters, name));
    }
  }
  found->second.readAt = now;
  found->second.uptime = uptime;
  found->second.counters = std::move(counters);
  return deltas;
}

void CacheMetrics::emit(const MetricDimensions& dimensions, const std::string& name, double value, const char* unit) {
  batch_.push_back({dimensions, name, value, unit});
}

void CacheMetrics::flush(const Resource& owner) {
  if (!batch_.empty()) sink_(owner, std::move(batch_));
  batch_.clear();
}

std::optional<long long> CacheMetrics::recordRedis(const Resource& owner, const std::string& clusterId,
                                                   const engines::RedisLayout& layout,
                                                   std::optional<long long> primaryOffset) {
  uint64_t ownOpen = 1;
  auto text = redis_.info(layout, &ownOpen);
  if (!text) return std::nullopt;  // a gap, which an alarm may treat as breaching
  auto figures = engineFigures(*text);
  bool primary = figure(figures, "role_master") == 1;
  double own = static_cast<double>(redis_.ownConnections(layout.port));
  std::map<std::string, double> counters = {
      {"total_connections_received", figure(figures, "total_connections_received")},
      {"evicted_keys", figure(figures, "evicted_keys")},
      {"keyspace_hits", figure(figures, "keyspace_hits")},
      {"keyspace_misses", figure(figures, "keyspace_misses")},
      {"cpu", figure(figures, "used_cpu_sys") + figure(figures, "used_cpu_user")},
      {"cpu_main_thread", figure(figures, "used_cpu_sys_main_thread") + figure(figures, "used_cpu_user_main_thread")},
      {kOwn, own}};
  auto deltas = advance(layout.dir.string(), figure(figures, "uptime_in_seconds"), counters);

  std::vector<MetricDimensions> at = {{{"CacheClusterId", clusterId}, {"CacheNodeId", "0001"}},
                                      {{"CacheClusterId", clusterId}}};
  for (const MetricDimensions& dimensions : at) {
    // Kura's own connections (INFO's among them) are among connected_clients.
    emit(dimensions, "CurrConnections",
         std::max(0.0, figure(figures, "connected_clients") - static_cast<double>(ownOpen)), "Count");
    emit(dimensions, "CurrItems", figure(figures, "keyspace_keys"), "Count");
    emit(dimensions, "BytesUsedForCache", figure(figures, "used_memory"), "Bytes");
    if (double maxMemory = figure(figures, "maxmemory"); maxMemory > 0) {
      emit(dimensions, "DatabaseMemoryUsagePercentage", 100 * figure(figures, "used_memory") / maxMemory,
           "Percent");
    }
    emit(dimensions, "IsMaster", primary ? 1 : 0, "Count");
    if (deltas) {
      const auto& d = deltas->counters;
      emit(dimensions, "NewConnections",
           std::max(0.0, figure(d, "total_connections_received") - figure(d, kOwn)), "Count");
      emit(dimensions, "Evictions", figure(d, "evicted_keys"), "Count");
      emit(dimensions, "CacheHits", figure(d, "keyspace_hits"), "Count");
      emit(dimensions, "CacheMisses", figure(d, "keyspace_misses"), "Count");
      if (deltas->seconds > 0) {
        emit(dimensions, "EngineCPUUtilization",
             std::min(100.0, 100 * figure(d, "cpu_main_thread") / deltas->seconds), "Percent");
        emit(dimensions, "CPUUtilization",
             std::min(100.0, 100 * figure(d, "cpu") / deltas->seconds / processors()), "Percent");
      }
    }
  }
  std::optional<long long> offset;
  if (figures.count("master_repl_offset") != 0) offset = static_cast<long long>(figure(figures, "master_repl_offset"));
  if (!primary && primaryOffset && figures.count("slave_repl_offset") != 0) {
    NodeHistory& history = nodes_[layout.dir.string()];
    double now = toEpochSeconds(clock_->now());
    // Read after its primary: a replica with all the primary had then is
    // caught up; one behind has been since it last was.
    if (figure(figures, "slave_repl_offset") >= static_cast<double>(*primaryOffset)) history.caughtUpAt = now;
    for (const MetricDimensions& dimensions : at) {
      emit(dimensions, "ReplicationLag", std::max(0.0, now - history.caughtUpAt), "Seconds");
    }
  }
  flush(owner);
  return offset;
}

void CacheMetrics::recordMemcached(const Resource& cluster,
                                   const std::vector<std::pair<std::string, engines::MemcachedLayout>>& nodes) {
  if (memcached_ == nullptr) return;
  std::map<std::string, double> sums;  // the cluster's: summed over its nodes (CPU: averaged)
  std::map<std::string, const char*> units;
  int cpuNodes = 0;
  auto both = [&](const MetricDimensions& dimensions, const std::string& name, double value, const char* unit) {
    emit(dimensions, name, value, unit);
    sums[name] += value;
    units[name] = unit;
  };
  for (const auto& [node, layout] : nodes) {
    uint64_t ownOpen = 1;
    auto text = memcached_->stats(layout, &ownOpen);
    if (!text) continue;
    auto figures = engineFigures(*text);
    MetricDimensions dimensions = {{"CacheClusterId", cluster.name}, {"CacheNodeId", node}};
    // Kura's own connections (this read's among them) are among curr_connections.
    both(dimensions, "CurrConnections",
         std::max(0.0, figure(figures, "curr_connections") - static_cast<double>(ownOpen)), "Count");
    both(dimensions, "CurrItems", figure(figures, "curr_items"), "Count");
    both(dimensions, "BytesUsedForCacheItems", figure(figures, "bytes"), "Bytes");
    both(dimensions, "UnusedMemory", std::max(0.0, figure(figures, "limit_maxbytes") - figure(figures, "bytes")),
         "Bytes");
    std::map<std::string, double> counters = {
        // memcached counts its listening socket among them.
        {"total_connections", std::max(0.0, figure(figures, "total_connections") - 1)},
        {"evictions", figure(figures, "evictions")},
        {"get_hits", figure(figures, "get_hits")},
        {"get_misses", figure(figures, "get_misses")},
        {"cpu", figure(figures, "rusage_user") + figure(figures, "rusage_system")},
        {kOwn, static_cast<double>(memcached_->ownConnections(layout.port))}};
    // memcached backdates its start by ITEM_UPDATE_INTERVAL + 2 seconds
    // (memcached.c: process_started = time(0) - 62): its true uptime is 62 s
    // less, else a node started within a minute of Kura looks older than
    // Kura and its first counts are taken as a baseline and lost.
    double uptime = std::max(0.0, figure(figures, "uptime") - kMemcachedBackdate);
    auto deltas = advance(layout.dir.string(), uptime, counters);
    if (!deltas) continue;
    const auto& d = deltas->counters;
    both(dimensions, "NewConnections", std::max(0.0, figure(d, "total_connections") - figure(d, kOwn)), "Count");
    both(dimensions, "Evictions", figure(d, "evictions"), "Count");
    both(dimensions, "GetHits", figure(d, "get_hits"), "Count");
    both(dimensions, "GetMisses", figure(d, "get_misses"), "Count");
    if (deltas->seconds > 0) {
      both(dimensions, "CPUUtilization", std::min(100.0, 100 * figure(d, "cpu") / deltas->seconds / processors()),
           "Percent");
      ++cpuNodes;
    }
  }
  for (const auto& [name, sum] : sums) {
    double value = name == "CPUUtilization" ? sum / std::max(1, cpuNodes) : sum;
    emit({{"CacheClusterId", cluster.name}}, name, value, units[name]);
  }
  flush(cluster);
}

}  // namespace kura::cache
