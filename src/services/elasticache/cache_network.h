#pragma once
// Where an ElastiCache cluster or replication group lives in EC2's network:
// its cache subnet group (which decides the zones of its nodes) and its
// security groups (which the engines' endpoints enforce). Groups are
// recorded as kind cache-subnet-group, spec {CacheSubnetGroupDescription,
// VpcId, SubnetIds}; the group "default" is not recorded: it is the
// default VPC's default subnets, as ElastiCache makes it.
//
// A cluster's or replication group's spec carries CacheSubnetGroupName and
// SecurityGroupIds (a JSON array of group ids; the VPC's default group when
// the request names none, as ElastiCache does).
#include <string>

#include "catalog/catalog.h"
#include "services/core/handler_table.h"

namespace kura::elasticache {

inline constexpr const char* kCacheSubnetGroup = "cache-subnet-group";
inline constexpr const char* kDefaultCacheSubnetGroup = "default";

// A cache subnet group by name (lower-cased), "default" included, or
// CacheSubnetGroupNotFoundFault.
Result<Resource> findCacheSubnetGroup(Catalog& catalog, const RequestContext& c, const std::string& name);
// CacheSubnetGroup as Describe shows it.
Json cacheSubnetGroupView(Catalog& catalog, const RequestContext& c, const Resource& group);
// The zones of a group's subnets, sorted.
std::vector<std::string> zonesOfCacheSubnetGroup(Catalog& catalog, const RequestContext& c, const Resource& group);

// Settles the network of a new cluster or replication group in `spec`, from
// the request `in`: CacheSubnetGroupName, SecurityGroupIds (each in the
// group's VPC), and its nodes' zones, each one of the group's:
// PreferredAvailabilityZone of a cluster (the group's first zone when the
// request names none; PreferredAvailabilityZones are checked too), and
// PreferredCacheClusterAZs of a replication group, one per cache cluster
// (the group's zones in turn when the request names none).
Result<bool> placeCacheNetwork(Catalog& catalog, const RequestContext& c, const Json& in, Json& spec);

// SecurityGroupIds of a Modify call, checked against the resource's VPC and
// stored in `spec` at once, as ElastiCache applies them; nothing when the
// request has none.
Result<bool> changeCacheSecurityGroups(Catalog& catalog, const RequestContext& c, const Json& in, Json& spec);

// SecurityGroups as a cache cluster shows them: [{SecurityGroupId, Status}].
Json cacheSecurityGroupMemberships(const Json& spec);

// The name of a cluster or replication group (not deleted) in cache subnet
// group `name`; empty when none is.
std::string resourceInCacheSubnetGroup(Catalog& catalog, const RequestContext& c, const std::string& name);

// CreateCacheSubnetGroup, DescribeCacheSubnetGroups, ModifyCacheSubnetGroup
// and DeleteCacheSubnetGroup (cache_subnet_group_handlers.cpp).
void registerCacheSubnetGroupHandlers(HandlerTable& table, Catalog& catalog);

}  // namespace kura::elasticache
