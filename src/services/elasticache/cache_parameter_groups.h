#pragma once
// Cache parameter groups: a family's parameters (cache/cache_parameters.h)
// with the values a group sets. Groups are recorded as kind
// cache-parameter-group, spec {CacheParameterGroupFamily, Description,
// Parameters: {name: value}}; the default groups (default.redis7,
// default.redis7.cluster.on, default.memcached1.6: the families of the
// installed engines) are not recorded, as ElastiCache makes them.
//
// A cluster or replication group carries its group's values in its spec
// (CacheParameters) and what is left to do with them in its state
// (cache_parameters.h): the handlers that change a group change every
// cluster and group using it in the same transaction; the supervisor sets
// the immediate ones on their running nodes within a second; the others
// wait for a reboot of the node.
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "services/core/handler_table.h"

namespace kura::elasticache {

inline constexpr const char* kCacheParameterGroup = "cache-parameter-group";

// The families this host runs, from the installed versions (empty: none).
struct CacheFamilies {
  std::string redisVersion;
  std::string memcachedVersion;
};

// CreateCacheParameterGroup, DescribeCacheParameterGroups,
// ModifyCacheParameterGroup, ResetCacheParameterGroup,
// DeleteCacheParameterGroup, DescribeCacheParameters and
// DescribeEngineDefaultParameters.
void registerCacheParameterGroupHandlers(HandlerTable& table, Catalog& catalog, CacheFamilies families);

// The CacheParameterGroupName of a Create call (the family's default group
// when it names none) into `spec`, with the group's values; AWS's error
// when the group does not exist or is not of `family`.
std::optional<ApiError> placeCacheParameterGroup(Catalog& catalog, const RequestContext& c, const Json& in,
                                                 const std::string& family, Json& spec);
// The CacheParameterGroupName of a Modify call, if any: the owner takes the
// new group's values (immediate ones at once, the others at its nodes'
// reboot).
std::optional<ApiError> changeCacheParameterGroup(Catalog& catalog, const RequestContext& c, const Json& in,
                                                  Resource& owner);

// CacheParameterGroup as a cache cluster shows it ({CacheParameterGroupName,
// ParameterApplyStatus, CacheNodeIdsToReboot}), and a node's
// ParameterGroupStatus. `cluster`: a cache cluster, or a replication
// group's member as elasticache_views.cpp makes it (the group's record
// under the member's name).
Json cacheParameterGroupStatus(const Resource& cluster);
std::string cacheNodeParameterStatus(const Resource& cluster, const std::string& node);

}  // namespace kura::elasticache
