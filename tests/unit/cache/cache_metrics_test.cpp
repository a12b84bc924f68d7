#include "cache/cache_metrics.h"

#include <gtest/gtest.h>

#include "cache/cache_parameters.h"
#include "cache/node_type_memory.h"

namespace kura::cache {
namespace {

TEST(CacheMetrics, RedisInfoFigures) {
  auto figures = engineFigures(
      "# Clients\r\nconnected_clients:7\r\n# Replication\r\nrole:slave\r\nslave_repl_offset:1234\r\n"
      "# CPU\r\nused_cpu_sys:0.5\r\nused_cpu_user:1.25\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n"
      "db2:keys=4,expires=1,avg_ttl=5\r\nredis_version:7.0.15\r\n");
  EXPECT_EQ(figures["connected_clients"], 7);
  EXPECT_EQ(figures["role_master"], 0);
  EXPECT_EQ(figures["slave_repl_offset"], 1234);
  EXPECT_DOUBLE_EQ(figures["used_cpu_sys"] + figures["used_cpu_user"], 1.75);
  EXPECT_EQ(figures["keyspace_keys"], 7);
  EXPECT_EQ(figures.count("redis_version"), 0u);  // not a number
}

TEST(CacheMetrics, MemcachedStatsFigures) {
  auto figures = engineFigures("STAT pid 12\r\nSTAT rusage_user 0.040000\r\nSTAT curr_items 5\r\nSTAT version 1.6.18\r\n");
  EXPECT_EQ(figures["curr_items"], 5);
  EXPECT_DOUBLE_EQ(figures["rusage_user"], 0.04);
  EXPECT_EQ(figures.count("version"), 0u);
  EXPECT_EQ(figures.count("keyspace_keys"), 0u);
}

TEST(CacheMetrics, ReservedMemoryPercentSetsMaxmemory) {
  Resource owner;
  owner.kind = "cache-cluster";
  owner.spec = {{"Engine", "redis"}, {"EngineVersion", "7.0.15"}, {"CacheNodeType", "cache.t3.micro"},
                {"CacheParameters", {{"reserved-memory-percent", "99"}}}};
  auto maxmemory = [&] {
    for (const auto& [name, value] : redisSettingsOf(owner)) {
      if (name == "maxmemory") return value;
    }
    return std::string();
  };
  EXPECT_EQ(maxmemory(), std::to_string(536870912 / 100 * 1));
  owner.spec["CacheParameters"] = nlohmann::json::object();  // the default, 25 %
  EXPECT_EQ(maxmemory(), std::to_string(536870912 / 100 * 75));
  owner.spec["CacheNodeType"] = "cache.x99.unknown";
  EXPECT_EQ(maxmemory(), "");
  EXPECT_FALSE(nodeTypeMaxMemory("cache.x99.unknown"));
}

}  // namespace
}  // namespace kura::cache
