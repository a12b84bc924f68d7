#include "services/rds/db_network.h"

#include <algorithm>

#include "catalog/arn.h"
#include "services/ec2/ec2_kinds.h"
#include "services/ec2/ec2_records.h"
#include "services/ec2/network_lookup.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"
#include "services/rds/zone_choice.h"

namespace kura::rds {
namespace {

std::string groupNameOf(const Json& spec) {
  std::string name = spec.value("DBSubnetGroupName", "");
  return name.empty() ? kDefaultSubnetGroup : name;
}

ApiError notCoveringTwoZones(size_t zones) {
  return ApiError::sender("DBSubnetGroupDoesNotCoverEnoughAZs",
                          "DB Subnet Group doesn't meet availability zone coverage requirement. Please add subnets to "
                          "cover at least 2 availability zones. Current coverage: " + std::to_string(zones));
}

// The "default" group: the default VPC's default subnets (one per zone).
Result<Resource> defaultGroup(Catalog& catalog, const RequestContext& c) {
  std::string vpcId = ec2::defaultVpcIdOf(catalog, c);
  if (vpcId.empty()) {
    return ApiError::sender("DBSubnetGroupNotFoundFault",
                            "DB subnet group 'default' does not exist: this region has no default VPC.", 404);
  }
  Json subnetIds = Json::array();
  for (const Resource& subnet : ec2::subnetsOfVpc(catalog, c, vpcId)) {
    if (subnet.spec.value("DefaultForAz", false)) subnetIds.push_back(subnet.name);
  }
  Resource group;
  group.accountId = c.accountId;
  group.region = c.region;
  group.service = kService;
  group.kind = kSubnetGroup;
  group.name = kDefaultSubnetGroup;
  group.arn = makeArn("rds", c.region, c.accountId, std::string("subgrp:") + kDefaultSubnetGroup);
  group.status = kAvailable;
  group.goal = kAvailable;
  group.spec = {{"DBSubnetGroupDescription", "default"}, {"VpcId", vpcId}, {"SubnetIds", subnetIds}};
  return group;
}

}  // namespace

Result<Resource> findDbSubnetGroup(Catalog& catalog, const RequestContext& c, const std::string& name) {
  std::string key = lowerCase(name);
  if (key == kDefaultSubnetGroup) return defaultGroup(catalog, c);
  auto group = catalog.getResource(c.accountId, c.region, kSubnetGroup, key);
  if (!group) {
    return ApiError::sender("DBSubnetGroupNotFoundFault", "DB subnet group '" + name + "' does not exist.", 404);
  }
  return group;
}

std::vector<std::string> zonesOfDbSubnetGroup(Catalog& catalog, const RequestContext& c, const Resource& group) {
  std::vector<Resource> subnets;
  for (const auto& id : group.spec.value("SubnetIds", Json::array())) {
    if (auto subnet = catalog.getResource(c.accountId, c.region, ec2::kSubnet, id.get<std::string>())) {
      subnets.push_back(*subnet);
    }
  }
  return ec2::zonesOfSubnets(subnets);
}

Json dbSubnetGroupView(Catalog& catalog, const RequestContext& c, const Resource& group) {
  Json subnets = Json::array();
  for (const auto& id : group.spec.value("SubnetIds", Json::array())) {
    auto subnet = catalog.getResource(c.accountId, c.region, ec2::kSubnet, id.get<std::string>());
    std::string zone = subnet ? subnet->spec.value("AvailabilityZone", "") : "";
    subnets.push_back({{"SubnetIdentifier", id},
                       {"SubnetAvailabilityZone", {{"Name", zone}}},
                       {"SubnetOutpost", Json::object()},
                       {"SubnetStatus", subnet ? "Active" : "Deleted"}});
  }
  return {{"DBSubnetGroupName", group.name},
          {"DBSubnetGroupDescription", group.spec.value("DBSubnetGroupDescription", "")},
          {"VpcId", group.spec.value("VpcId", "")},
          {"SubnetGroupStatus", "Complete"},
          {"Subnets", subnets},
          {"DBSubnetGroupArn", group.arn},
          {"SupportedNetworkTypes", Json::array({"IPV4"})}};
}

Result<Json> checkedDbSubnets(Catalog& catalog, const RequestContext& c, const Json& subnetIds) {
  std::vector<std::string> ids;
  for (const auto& id : subnetIds) ids.push_back(id.get<std::string>());
  if (ids.empty()) {
    return ApiError::sender("InvalidParameterValue", "The parameter SubnetIds must contain at least one subnet.");
  }
  ec2::SubnetSelection selection = ec2::selectSubnets(catalog, c, ids);
  if (!selection.unknown.empty()) {
    return ApiError::sender("InvalidSubnet", "The subnet '" + selection.unknown + "' does not exist.");
  }
  if (selection.mixedVpcs) {
    return ApiError::sender("InvalidSubnet", "Some input subnets in :[" + [&] {
      std::string list;
      for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
      return list;
    }() + "] are invalid: they are not all in one VPC.");
  }
  if (selection.subnets.size() > kSubnetsPerGroup) {
    return ApiError::sender("DBSubnetQuotaExceededFault", "The request would result in exceeding the allowed number "
                                                          "of subnets in a DB subnet group (" +
                                                              std::to_string(kSubnetsPerGroup) + ").");
  }
  size_t zones = ec2::zonesOfSubnets(selection.subnets).size();
  if (zones < 2) return notCoveringTwoZones(zones);
  Json kept = Json::array();
  for (const Resource& subnet : selection.subnets) kept.push_back(subnet.name);
  return Json{{"VpcId", selection.vpcId}, {"SubnetIds", kept}};
}

Result<Json> checkedSecurityGroups(Catalog& catalog, const RequestContext& c, const Json* groupIds,
                                   const std::string& vpcId, const std::string& what) {
  Json groups = Json::array();
  if (groupIds == nullptr || groupIds->empty()) {
    std::string fallback = ec2::defaultGroupOf(catalog, c, vpcId);
    if (!fallback.empty()) groups.push_back(fallback);
    return groups;
  }
  for (const auto& id : *groupIds) {
    std::string groupId = id.get<std::string>();
    if (std::find(groups.begin(), groups.end(), id) != groups.end()) continue;
    std::string groupVpc = ec2::vpcOfGroup(catalog, c, groupId);
    if (groupVpc.empty()) {
      return ApiError::sender("InvalidParameterValue",
                              "Invalid security group , groupId= " + groupId + ", groupName=.");
    }
    if (groupVpc != vpcId) {
      return ApiError::sender("InvalidParameterCombination", "The " + what + " and EC2 security group are in different "
                                                             "VPCs. The " + what + " is in " + vpcId +
                                                             " and the EC2 security group is in " + groupVpc);
    }
    groups.push_back(groupId);
  }
  return groups;
}

Result<bool> placeInstanceNetwork(Catalog& catalog, const RequestContext& c, Json& spec) {
  auto group = findDbSubnetGroup(catalog, c, groupNameOf(spec));
  if (!group) return group.error();
  spec["DBSubnetGroupName"] = group->name;
  std::string vpcId = group->spec.value("VpcId", "");
  const Json* asked = spec.contains("VpcSecurityGroupIds") ? &spec["VpcSecurityGroupIds"] : nullptr;
  auto groups = checkedSecurityGroups(catalog, c, asked, vpcId, "DB instance");
  if (!groups) return groups.error();
  spec["VpcSecurityGroupIds"] = *groups;
  if (spec.value("MultiAZ", false) && spec.contains("AvailabilityZone")) {
    // RDS chooses both zones of a Multi-AZ instance.
    return ApiError::sender("InvalidParameterCombination",
                            "Requesting a specific availability zone is not valid for Multi-AZ instances.");
  }
  auto placement = placeInZones(zonesOfDbSubnetGroup(catalog, c, *group), spec.value("AvailabilityZone", ""),
                                spec.value("MultiAZ", false));
  if (!placement) return placement.error();
  spec["AvailabilityZone"] = placement->primary;
  if (placement->secondary.empty()) {
    spec.erase("SecondaryAvailabilityZone");
  } else {
    spec["SecondaryAvailabilityZone"] = placement->secondary;
  }
  return true;
}

Result<bool> placeClusterNetwork(Catalog& catalog, const RequestContext& c, const Json& in, Json& spec) {
  auto group = findDbSubnetGroup(catalog, c, in.value("DBSubnetGroupName", kDefaultSubnetGroup));
  if (!group) return group.error();
  spec["DBSubnetGroupName"] = group->name;
  std::string vpcId = group->spec.value("VpcId", "");
  const Json* asked = in.contains("VpcSecurityGroupIds") ? &in["VpcSecurityGroupIds"] : nullptr;
  auto groups = checkedSecurityGroups(catalog, c, asked, vpcId, "DB cluster");
  if (!groups) return groups.error();
  spec["VpcSecurityGroupIds"] = *groups;
  std::vector<std::string> zones = zonesOfDbSubnetGroup(catalog, c, *group);
  Json chosen = Json::array();
  for (const auto& zone : in.value("AvailabilityZones", Json::array())) {
    if (std::find(zones.begin(), zones.end(), zone.get<std::string>()) == zones.end()) {
      return ApiError::sender("InvalidVPCNetworkStateFault", "Availability zone '[" + zone.get<std::string>() +
                                                                 "]' is unavailable in this region, please choose "
                                                                 "another zone set.");
    }
    if (std::find(chosen.begin(), chosen.end(), zone) == chosen.end()) chosen.push_back(zone);
  }
  spec["AvailabilityZones"] = chosen.empty() ? Json(zones) : chosen;
  return true;
}

std::vector<std::string> zonesOfInstance(Catalog& catalog, const RequestContext& c, const Json& spec) {
  auto group = findDbSubnetGroup(catalog, c, groupNameOf(spec));
  if (!group) return ec2::zonesOf(c.region);
  return zonesOfDbSubnetGroup(catalog, c, *group);
}

std::string vpcOfResource(Catalog& catalog, const RequestContext& c, const Json& spec) {
  auto group = findDbSubnetGroup(catalog, c, groupNameOf(spec));
  return group ? group->spec.value("VpcId", "") : "";
}

Json securityGroupMemberships(const Json& spec) {
  Json memberships = Json::array();
  for (const auto& id : spec.value("VpcSecurityGroupIds", Json::array())) {
    memberships.push_back({{"VpcSecurityGroupId", id}, {"Status", "active"}});
  }
  return memberships;
}

std::string resourceInSubnetGroup(Catalog& catalog, const RequestContext& c, const std::string& name) {
  for (const char* kind : {kInstance, kCluster}) {
    for (const Resource& resource : catalog.listAllOfKind(kind)) {
      if (resource.accountId == c.accountId && resource.region == c.region && resource.status != kDeleted &&
          resource.spec.value("DBSubnetGroupName", "") == name) {
        return resource.name;
      }
    }
  }
  return "";
}

}  // namespace kura::rds
