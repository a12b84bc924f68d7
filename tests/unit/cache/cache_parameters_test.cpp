#include "cache/cache_parameters.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace kura::cache {
namespace {

const CacheParameter& parameter(const char* family, const char* name) {
  const CacheParameter* found = findCacheParameter(family, name);
  if (found == nullptr) throw std::runtime_error(std::string("no parameter ") + name);
  return *found;
}

TEST(CacheParameters, FamiliesOfInstalledVersions) {
  EXPECT_EQ(redisFamilyOf("7.0.15"), "redis7");
  EXPECT_EQ(memcachedFamilyOf("1.6.18"), "memcached1.6");
  EXPECT_EQ(redisFamilyOf(""), "");
  EXPECT_NE(cacheParametersOf("redis7"), nullptr);
  EXPECT_EQ(cacheParametersOf("redis6.x"), nullptr);
}

TEST(CacheParameters, ValuesAreCheckedAgainstAllowedValues) {
  const CacheParameter& policy = parameter("redis7", "maxmemory-policy");
  EXPECT_EQ(invalidCacheParameterValue(policy, "allkeys-lru"), "");
  EXPECT_NE(invalidCacheParameterValue(policy, "allkeys"), "");
  EXPECT_NE(invalidCacheParameterValue(policy, "allkeys-lru\nrename-command"), "");
  const CacheParameter& timeout = parameter("redis7", "timeout");  // "0,20-"
  EXPECT_EQ(invalidCacheParameterValue(timeout, "0"), "");
  EXPECT_EQ(invalidCacheParameterValue(timeout, "20"), "");
  EXPECT_EQ(invalidCacheParameterValue(timeout, "86400"), "");
  EXPECT_NE(invalidCacheParameterValue(timeout, "19"), "");
  EXPECT_NE(invalidCacheParameterValue(timeout, "-1"), "");
  EXPECT_NE(invalidCacheParameterValue(timeout, "1e3"), "");
  EXPECT_NE(invalidCacheParameterValue(timeout, " 30"), "");
  const CacheParameter& listpack = parameter("redis7", "list-max-listpack-size");  // "-5,...,-1,1-"
  EXPECT_EQ(invalidCacheParameterValue(listpack, "-2"), "");
  EXPECT_EQ(invalidCacheParameterValue(listpack, "128"), "");
  EXPECT_NE(invalidCacheParameterValue(listpack, "0"), "");
  EXPECT_NE(invalidCacheParameterValue(listpack, "-6"), "");
  const CacheParameter& slowlog = parameter("redis7", "slowlog-log-slower-than");  // "-1-"
  EXPECT_EQ(invalidCacheParameterValue(slowlog, "-1"), "");
  EXPECT_NE(invalidCacheParameterValue(slowlog, "-2"), "");
  const CacheParameter& events = parameter("redis7", "notify-keyspace-events");
  EXPECT_EQ(invalidCacheParameterValue(events, ""), "");
  EXPECT_EQ(invalidCacheParameterValue(events, "KEA"), "");
  EXPECT_NE(invalidCacheParameterValue(events, "KK"), "");
  EXPECT_NE(invalidCacheParameterValue(events, "K\""), "");
  const CacheParameter& growth = parameter("memcached1.6", "chunk_size_growth_factor");  // "1.01-2"
  EXPECT_EQ(invalidCacheParameterValue(growth, "1.25"), "");
  EXPECT_EQ(invalidCacheParameterValue(growth, "2"), "");
  EXPECT_NE(invalidCacheParameterValue(growth, "1"), "");
  EXPECT_NE(invalidCacheParameterValue(growth, "2.5"), "");
  EXPECT_NE(invalidCacheParameterValue(growth, "nan"), "");
  const CacheParameter& item = parameter("memcached1.6", "max_item_size");
  EXPECT_EQ(invalidCacheParameterValue(item, "2097152"), "");
  EXPECT_NE(invalidCacheParameterValue(item, "2097153"), "");  // not whole slab chunks
}

TEST(CacheParameters, DefaultsAreValidAndEveryRowIsComplete) {
  for (const std::string& family : cacheParameterFamilies()) {
    const auto* all = cacheParametersOf(family);
    ASSERT_NE(all, nullptr) << family;
    for (size_t i = 0; i < all->size(); ++i) {
      const CacheParameter& p = (*all)[i];
      EXPECT_EQ(invalidCacheParameterValue(p, std::string(p.defaultValue)), "") << p.name;
      EXPECT_FALSE(p.description.empty()) << p.name;
      if (i > 0) {
        EXPECT_LT((*all)[i - 1].name, p.name) << "sorted by name";
      }
    }
  }
}

TEST(CacheParameters, OwnersGetDirectivesAndOptions) {
  Resource redis;
  redis.spec = {{"Engine", "redis"}, {"EngineVersion", "7.0.15"},
                {"CacheParameters", {{"timeout", "300"}, {"databases", "32"}, {"cluster-enabled", "no"}}}};
  auto settings = redisSettingsOf(redis);
  auto has = [&](const std::vector<std::pair<std::string, std::string>>& list, const char* name, const char* value) {
    return std::find(list.begin(), list.end(), std::make_pair(std::string(name), std::string(value))) != list.end();
  };
  EXPECT_TRUE(has(settings, "timeout", "300"));
  EXPECT_TRUE(has(settings, "databases", "32"));
  EXPECT_TRUE(has(settings, "maxmemory-policy", "volatile-lru"));  // ElastiCache's default, not Redis's
  for (const auto& [name, value] : settings) EXPECT_NE(name, "cluster-enabled");
  auto immediate = redisImmediateSettingsOf(redis);
  EXPECT_TRUE(has(immediate, "timeout", "300"));
  EXPECT_FALSE(has(immediate, "databases", "32"));
  EXPECT_TRUE(rebootNeededBetween("redis7", nlohmann::json::object(), redis.spec["CacheParameters"]));
  EXPECT_FALSE(rebootNeededBetween("redis7", nlohmann::json::object(), {{"timeout", "300"}}));

  Resource memcached;
  memcached.spec = {{"Engine", "memcached"}, {"EngineVersion", "1.6.18"},
                    {"CacheParameters", {{"max_item_size", "2097152"}, {"cas_disabled", "1"}}}};
  auto options = memcachedOptionsOf(memcached);
  auto at = std::find(options.begin(), options.end(), "-I");
  ASSERT_NE(at, options.end());
  EXPECT_EQ(*(at + 1), "2097152");
  EXPECT_NE(std::find(options.begin(), options.end(), "-C"), options.end());
  EXPECT_EQ(std::find(options.begin(), options.end(), "-F"), options.end());  // disable_flush_all 0: no switch
  EXPECT_NE(std::find(options.begin(), options.end(), "hash_algorithm=jenkins"), options.end());
}

TEST(CacheParameters, ReservingAllTheMemoryLeavesNoRoomRatherThanNoLimit) {
  auto maxmemory = [](const char* percent) {
    Resource redis;
    redis.spec = {{"Engine", "redis"}, {"EngineVersion", "7.0.15"}, {"CacheNodeType", "cache.t3.micro"},
                  {"CacheParameters", {{"reserved-memory-percent", percent}}}};
    for (const auto& [name, value] : redisSettingsOf(redis)) {
      if (name == "maxmemory") return std::stoull(value);
    }
    return 0ull;
  };
  EXPECT_GT(maxmemory("25"), maxmemory("99"));
  EXPECT_GT(maxmemory("99"), 1u);
  EXPECT_EQ(maxmemory("100"), 1u);  // Redis reads maxmemory 0 as no limit at all
}

}  // namespace
}  // namespace kura::cache
