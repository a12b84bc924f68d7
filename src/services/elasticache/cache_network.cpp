#include "services/elasticache/cache_network.h"

#include <algorithm>

#include "catalog/arn.h"
#include "services/ec2/ec2_kinds.h"
#include "services/ec2/network_lookup.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/rds/rds_validation.h"

namespace kura::elasticache {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

Result<Resource> defaultGroup(Catalog& catalog, const RequestContext& c) {
  std::string vpcId = ec2::defaultVpcIdOf(catalog, c);
  if (vpcId.empty()) {
    return ApiError::sender("CacheSubnetGroupNotFoundFault",
                            "Cache subnet group 'default' does not exist: this region has no default VPC.");
  }
  Json subnetIds = Json::array();
  for (const Resource& subnet : ec2::subnetsOfVpc(catalog, c, vpcId)) {
    if (subnet.spec.value("DefaultForAz", false)) subnetIds.push_back(subnet.name);
  }
  Resource group;
  group.accountId = c.accountId;
  group.region = c.region;
  group.service = kService;
  group.kind = kCacheSubnetGroup;
  group.name = kDefaultCacheSubnetGroup;
  group.arn = makeArn("elasticache", c.region, c.accountId, std::string("subnetgroup:") + kDefaultCacheSubnetGroup);
  group.status = kAvailable;
  group.goal = kAvailable;
  group.spec = {{"CacheSubnetGroupDescription", "Default CacheSubnetGroup"},
                {"VpcId", vpcId},
                {"SubnetIds", subnetIds}};
  return group;
}

std::string vpcOfSpec(Catalog& catalog, const RequestContext& c, const Json& spec) {
  auto group = findCacheSubnetGroup(catalog, c, spec.value("CacheSubnetGroupName", kDefaultCacheSubnetGroup));
  return group ? group->spec.value("VpcId", "") : "";
}

// The request's groups, each existing and in `vpcId`; the VPC's default group
// when it names none.
Result<Json> checkedGroups(Catalog& catalog, const RequestContext& c, const Json* asked, const std::string& vpcId,
                           const std::string& subnetGroup) {
  Json groups = Json::array();
  if (asked == nullptr || asked->empty()) {
    std::string fallback = ec2::defaultGroupOf(catalog, c, vpcId);
    if (!fallback.empty()) groups.push_back(fallback);
    return groups;
  }
  for (const auto& id : *asked) {
    if (std::find(groups.begin(), groups.end(), id) != groups.end()) continue;
    std::string groupVpc = ec2::vpcOfGroup(catalog, c, id.get<std::string>());
    if (groupVpc.empty()) return invalid("The security group '" + id.get<std::string>() + "' does not exist.");
    if (groupVpc != vpcId) {
      return ApiError::sender("InvalidParameterCombination", "Subnet group [" + subnetGroup +
                                                                 "] belongs to a different VPC [" + vpcId +
                                                                 "] than [" + groupVpc + "]");
    }
    groups.push_back(id);
  }
  return groups;
}

std::optional<ApiError> checkZone(const std::vector<std::string>& zones, const std::string& zone,
                                  const std::string& subnetGroup) {
  if (std::find(zones.begin(), zones.end(), zone) != zones.end()) return std::nullopt;
  std::string list;
  for (const std::string& each : zones) list += (list.empty() ? "" : ", ") + each;
  return ApiError::sender("InvalidVPCNetworkStateFault", "The availability zone " + zone +
                                                             " is not one of cache subnet group " + subnetGroup +
                                                             "'s zones (" + list + ").");
}

}  // namespace

Result<Resource> findCacheSubnetGroup(Catalog& catalog, const RequestContext& c, const std::string& name) {
  std::string key = rds::lowerCase(name);
  if (key == kDefaultCacheSubnetGroup) return defaultGroup(catalog, c);
  auto group = catalog.getResource(c.accountId, c.region, kCacheSubnetGroup, key);
  if (!group) {
    return ApiError::sender("CacheSubnetGroupNotFoundFault", "Cache subnet group " + name + " not found.");
  }
  return group;
}

std::vector<std::string> zonesOfCacheSubnetGroup(Catalog& catalog, const RequestContext& c, const Resource& group) {
  std::vector<Resource> subnets;
  for (const auto& id : group.spec.value("SubnetIds", Json::array())) {
    if (auto subnet = catalog.getResource(c.accountId, c.region, ec2::kSubnet, id.get<std::string>())) {
      subnets.push_back(*subnet);
    }
  }
  return ec2::zonesOfSubnets(subnets);
}

Json cacheSubnetGroupView(Catalog& catalog, const RequestContext& c, const Resource& group) {
  Json subnets = Json::array();
  for (const auto& id : group.spec.value("SubnetIds", Json::array())) {
    auto subnet = catalog.getResource(c.accountId, c.region, ec2::kSubnet, id.get<std::string>());
    subnets.push_back({{"SubnetIdentifier", id},
                       {"SubnetAvailabilityZone", {{"Name", subnet ? subnet->spec.value("AvailabilityZone", "") : ""}}},
                       {"SupportedNetworkTypes", Json::array({"ipv4"})}});
  }
  return {{"CacheSubnetGroupName", group.name},
          {"CacheSubnetGroupDescription", group.spec.value("CacheSubnetGroupDescription", "")},
          {"VpcId", group.spec.value("VpcId", "")},
          {"Subnets", subnets},
          {"ARN", group.arn},
          {"SupportedNetworkTypes", Json::array({"ipv4"})}};
}

Result<bool> placeCacheNetwork(Catalog& catalog, const RequestContext& c, const Json& in, Json& spec) {
  auto group = findCacheSubnetGroup(catalog, c, in.value("CacheSubnetGroupName", kDefaultCacheSubnetGroup));
  if (!group) return group.error();
  spec["CacheSubnetGroupName"] = group->name;
  std::string vpcId = group->spec.value("VpcId", "");
  const Json* asked = in.contains("SecurityGroupIds") ? &in["SecurityGroupIds"] : nullptr;
  auto groups = checkedGroups(catalog, c, asked, vpcId, group->name);
  if (!groups) return groups.error();
  spec["SecurityGroupIds"] = *groups;
  std::vector<std::string> zones = zonesOfCacheSubnetGroup(catalog, c, *group);
  if (zones.empty()) {
    return ApiError::sender("InvalidVPCNetworkStateFault", "Cache subnet group " + group->name + " has no subnets.");
  }
  if (spec.contains("PreferredAvailabilityZone")) {
    // A cache cluster: one zone for its nodes, and per-node zones checked.
    for (const auto& zone : in.value("PreferredAvailabilityZones", Json::array())) {
      if (auto error = checkZone(zones, zone.get<std::string>(), group->name)) return *error;
    }
    if (in.contains("PreferredAvailabilityZone")) {
      if (auto error = checkZone(zones, in["PreferredAvailabilityZone"].get<std::string>(), group->name)) return *error;
    }
    std::vector<std::string> named = in.value("PreferredAvailabilityZones", std::vector<std::string>());
    if (!named.empty()) {
      spec["PreferredAvailabilityZone"] = named.front();  // the first node's, where the request names each node's
    } else {
      spec["PreferredAvailabilityZone"] = in.value("PreferredAvailabilityZone", zones.front());
    }
    return true;
  }
  // A replication group: one zone per cache cluster.
  int clusters = spec.value("NumCacheClusters", 1);
  Json perCluster = Json::array();
  std::vector<std::string> given = in.value("PreferredCacheClusterAZs", std::vector<std::string>());
  for (int index = 0; index < clusters; ++index) {
    if (static_cast<size_t>(index) < given.size()) {
      if (auto error = checkZone(zones, given[index], group->name)) return *error;
      perCluster.push_back(given[index]);
    } else {
      perCluster.push_back(zones[static_cast<size_t>(index) % zones.size()]);
    }
  }
  spec["PreferredCacheClusterAZs"] = perCluster;
  return true;
}

Result<bool> changeCacheSecurityGroups(Catalog& catalog, const RequestContext& c, const Json& in, Json& spec) {
  if (!in.contains("SecurityGroupIds")) return true;
  std::string subnetGroup = spec.value("CacheSubnetGroupName", kDefaultCacheSubnetGroup);
  auto groups = checkedGroups(catalog, c, &in["SecurityGroupIds"], vpcOfSpec(catalog, c, spec), subnetGroup);
  if (!groups) return groups.error();
  spec["SecurityGroupIds"] = *groups;
  return true;
}

Json cacheSecurityGroupMemberships(const Json& spec) {
  Json memberships = Json::array();
  for (const auto& id : spec.value("SecurityGroupIds", Json::array())) {
    memberships.push_back({{"SecurityGroupId", id}, {"Status", "active"}});
  }
  return memberships;
}

std::string resourceInCacheSubnetGroup(Catalog& catalog, const RequestContext& c, const std::string& name) {
  for (const char* kind : {kCluster, kReplicationGroup}) {
    for (const Resource& resource : catalog.listAllOfKind(kind)) {
      if (resource.accountId == c.accountId && resource.region == c.region && resource.status != kDeleted &&
          resource.spec.value("CacheSubnetGroupName", "") == name) {
        return resource.name;
      }
    }
  }
  return "";
}

}  // namespace kura::elasticache
