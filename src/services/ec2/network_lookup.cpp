#include "services/ec2/network_lookup.h"

#include <algorithm>
#include <set>

#include "services/ec2/ec2_api.h"
#include "services/ec2/ec2_kinds.h"
#include "services/ec2/ec2_records.h"

namespace kura::ec2 {

std::string defaultVpcIdOf(Catalog& catalog, const RequestContext& c) {
  Ec2Api(catalog).ensureDefaultVpc(c);
  auto marker = catalog.getResource(c.accountId, c.region, kNetworkDefaults, "default");
  if (!marker) return "";
  std::string vpcId = marker->spec.value("DefaultVpcId", "");
  return catalog.getResource(c.accountId, c.region, kVpc, vpcId) ? vpcId : "";
}

std::vector<Resource> subnetsOfVpc(Catalog& catalog, const RequestContext& c, const std::string& vpcId) {
  std::vector<Resource> subnets;
  for (Resource& subnet : listAll(catalog, c, kSubnet)) {
    if (subnet.spec.value("VpcId", "") == vpcId) subnets.push_back(std::move(subnet));
  }
  std::stable_sort(subnets.begin(), subnets.end(), [](const Resource& a, const Resource& b) {
    return a.spec.value("AvailabilityZone", "") < b.spec.value("AvailabilityZone", "");
  });
  return subnets;
}

std::string defaultGroupOf(Catalog& catalog, const RequestContext& c, const std::string& vpcId) {
  for (const Resource& group : listAll(catalog, c, kSecurityGroup)) {
    if (group.spec.value("VpcId", "") == vpcId && group.spec.value("GroupName", "") == "default") return group.name;
  }
  return "";
}

SubnetSelection selectSubnets(Catalog& catalog, const RequestContext& c, const std::vector<std::string>& ids) {
  SubnetSelection selection;
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    if (!seen.insert(id).second) continue;
    auto subnet = catalog.getResource(c.accountId, c.region, kSubnet, id);
    if (!subnet) {
      selection.unknown = id;
      return selection;
    }
    std::string vpcId = subnet->spec.value("VpcId", "");
    if (!selection.vpcId.empty() && selection.vpcId != vpcId) selection.mixedVpcs = true;
    selection.vpcId = vpcId;
    selection.subnets.push_back(*subnet);
  }
  return selection;
}

std::vector<std::string> zonesOfSubnets(const std::vector<Resource>& subnets) {
  std::set<std::string> zones;
  for (const Resource& subnet : subnets) zones.insert(subnet.spec.value("AvailabilityZone", ""));
  return {zones.begin(), zones.end()};
}

std::string vpcOfGroup(Catalog& catalog, const RequestContext& c, const std::string& groupId) {
  auto group = catalog.getResource(c.accountId, c.region, kSecurityGroup, groupId);
  return group ? group->spec.value("VpcId", "") : "";
}

std::string databaseUsingGroup(Catalog& catalog, const RequestContext& c, const std::string& groupId) {
  // The kinds and spec keys of RDS (rds_kinds.h) and ElastiCache
  // (elasticache_kinds.h), named here so that EC2 does not link either.
  struct User {
    const char* kind;
    const char* key;
  };
  for (const User& user : {User{"db-instance", "VpcSecurityGroupIds"}, User{"db-cluster", "VpcSecurityGroupIds"},
                           User{"replication-group", "SecurityGroupIds"}, User{"cache-cluster", "SecurityGroupIds"}}) {
    for (const Resource& resource : catalog.listAllOfKind(user.kind)) {
      if (resource.accountId != c.accountId || resource.region != c.region || resource.status == "deleted") continue;
      const Json groups = resource.spec.value(user.key, Json::array());
      if (!groups.is_array()) continue;
      if (std::find(groups.begin(), groups.end(), Json(groupId)) != groups.end()) return resource.name;
    }
  }
  return "";
}

std::string databaseInSubnet(Catalog& catalog, const RequestContext& c, const Resource& subnet) {
  // The kinds and spec keys of RDS (db_network.h) and ElastiCache
  // (cache_network.h), named here so that EC2 does not link either.
  const std::string zone = subnet.spec.value("AvailabilityZone", "");
  auto groupsHolding = [&](const char* kind) {
    std::set<std::string> names;
    for (const Resource& group : listAll(catalog, c, kind)) {
      const Json ids = group.spec.value("SubnetIds", Json::array());
      if (std::find(ids.begin(), ids.end(), Json(subnet.name)) != ids.end()) names.insert(group.name);
    }
    // The "default" groups are the default VPC's default subnets.
    if (subnet.spec.value("DefaultForAz", false)) names.insert("default");
    return names;
  };
  const std::set<std::string> dbGroups = groupsHolding("db-subnet-group");
  const std::set<std::string> cacheGroups = groupsHolding("cache-subnet-group");
  auto live = [&](const Resource& resource) {
    return resource.accountId == c.accountId && resource.region == c.region && resource.status != "deleted";
  };
  for (const Resource& instance : catalog.listAllOfKind("db-instance")) {
    if (!live(instance) || !dbGroups.count(instance.spec.value("DBSubnetGroupName", "default"))) continue;
    if (instance.spec.value("AvailabilityZone", "") == zone ||
        instance.spec.value("SecondaryAvailabilityZone", "") == zone) {
      return instance.name;
    }
  }
  for (const char* kind : {"cache-cluster", "replication-group"}) {
    for (const Resource& resource : catalog.listAllOfKind(kind)) {
      if (!live(resource) || !cacheGroups.count(resource.spec.value("CacheSubnetGroupName", "default"))) continue;
      if (resource.spec.value("PreferredAvailabilityZone", "") == zone) return resource.name;
      const Json members = resource.state.value("Members", Json::object());
      for (const auto& [member, node] : members.items()) {
        if (node.value("AvailabilityZone", "") == zone) return resource.name;
      }
    }
  }
  return "";
}

}  // namespace kura::ec2
