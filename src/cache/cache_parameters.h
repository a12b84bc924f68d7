#pragma once
// ElastiCache's cache parameters for the engines Kura runs: one family per
// installed engine (redis7 for Redis 7.x, memcached1.6 for memcached 1.6.x),
// each parameter with ElastiCache's name, default, data type, allowed values,
// whether it may be changed and whether a change needs a reboot
// (cache_parameter_table.cpp holds them, as data). A parameter reaches the
// engine as its setting says: a Redis configuration directive (redis.conf at
// every start, CONFIG SET when it changes at once), or a memcached option
// (its command line, so every change needs a restart of the node).
//
// A cluster's or replication group's spec carries CacheParameters: the
// values its parameter group sets (names to values); every other parameter
// has its family's default. Its state carries ParametersToApply (true:
// the immediate values are still to be set on its running nodes) and
// NodesToRebootForParameters (the nodes that run with older values of a
// parameter that needs a reboot).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/records.h"

namespace kura::cache {

struct CacheParameter {
  std::string_view name;
  std::string_view defaultValue;
  std::string_view dataType;       // as ElastiCache shows it: string, integer, float
  std::string_view allowedValues;  // "yes,no", "0-", "1-75", "0,20-"; empty: see `letters`
  bool modifiable = true;
  bool immediate = true;           // ChangeType immediate, else requires-reboot
  std::string_view description;
  // How it reaches the engine. Redis: the directive ("" for the ones only
  // Kura reads, cluster-enabled). Memcached: the option, "-I" (with the
  // value), "-C" (a switch, given when the value is 1) or "-o name=".
  std::string_view setting;
  std::string_view letters;  // a string made of these letters only (notify-keyspace-events)
  long long multipleOf = 0;  // an integer that must be a multiple of this (0: any)
};

// The families this host can run: redis<major> and memcached<major.minor>
// of the installed versions (empty when that engine is not installed).
std::string redisFamilyOf(const std::string& version);
std::string memcachedFamilyOf(const std::string& version);
// The parameters of a family, by name; null for a family Kura has none of.
const std::vector<CacheParameter>* cacheParametersOf(std::string_view family);
// Every family Kura has parameters for.
std::vector<std::string> cacheParameterFamilies();
const CacheParameter* findCacheParameter(std::string_view family, std::string_view name);
// Why `value` is not one `parameter` allows; empty when it is.
std::string invalidCacheParameterValue(const CacheParameter& parameter, const std::string& value);

// Every parameter of the family with its value: the group's where it sets
// one, the default otherwise.
std::vector<std::pair<const CacheParameter*, std::string>> effectiveCacheParameters(std::string_view family,
                                                                                    const nlohmann::json& values);
// The family of a cluster's or replication group's engine (from its spec).
std::string cacheFamilyOfOwner(const Resource& owner);
// The Redis directives a node of `owner` runs with, in order.
std::vector<std::pair<std::string, std::string>> redisSettingsOf(const Resource& owner);
// The directives of the parameters that change at once, for CONFIG SET.
std::vector<std::pair<std::string, std::string>> redisImmediateSettingsOf(const Resource& owner);
// The maxmemory a Redis node of `owner` has with `nodeType` (its
// reserved-memory-percent taken off the type's memory); none for a type
// without a size, which runs without maxmemory.
std::optional<uint64_t> redisMaxMemoryWith(const Resource& owner, std::string_view nodeType);
// The memcached options a node of `owner` starts with.
std::vector<std::string> memcachedOptionsOf(const Resource& owner);

// Whether any parameter needing a reboot (or, for the second, any that
// changes at once) has another value in `after` than in `before` (each a
// CacheParameters object of the family).
bool rebootNeededBetween(std::string_view family, const nlohmann::json& before, const nlohmann::json& after);
bool immediateChangeBetween(std::string_view family, const nlohmann::json& before, const nlohmann::json& after);

}  // namespace kura::cache
