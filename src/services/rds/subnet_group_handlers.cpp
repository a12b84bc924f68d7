// DB subnet groups: CreateDBSubnetGroup, DescribeDBSubnetGroups,
// ModifyDBSubnetGroup, DeleteDBSubnetGroup. A group is a set of subnets of
// one VPC covering two zones at least; the instances and clusters in it
// take their zones from it (db_network.h). Nothing reconciles a group: it
// is recorded available.
#include <cctype>

#include "catalog/arn.h"
#include "services/rds/db_network.h"
#include "services/rds/describe_paging.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"

namespace kura::rds {
namespace {

constexpr size_t kSubnetGroupsPerRegion = 50;  // RDS's default quota

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

// RDS's rule: up to 255 letters, digits, periods, underscores, spaces or
// hyphens, a letter first; "default" is RDS's own group.
std::optional<ApiError> checkSubnetGroupName(const std::string& name) {
  if (name.empty() || name.size() > 255) {
    return invalid("The parameter DBSubnetGroupName must be between 1 and 255 characters.");
  }
  if (!std::isalpha(static_cast<unsigned char>(name[0]))) {
    return invalid("The parameter DBSubnetGroupName must begin with a letter.");
  }
  for (char ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != ' ' && ch != '-') {
      return invalid("The parameter DBSubnetGroupName may contain only letters, digits, periods, underscores, spaces "
                     "and hyphens.");
    }
  }
  if (name == kDefaultSubnetGroup) return invalid("The parameter DBSubnetGroupName must not be default.");
  return std::nullopt;
}

}  // namespace

Result<Json> RdsApi::createSubnetGroup(const RequestContext& c, const Json& in) {
  std::string name = lowerCase(in.value("DBSubnetGroupName", ""));
  if (auto error = checkSubnetGroupName(name)) return *error;
  auto subnets = checkedDbSubnets(catalog_, c, in.value("SubnetIds", Json::array()));
  if (!subnets) return subnets.error();
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kSubnetGroup;
  draft.name = name;
  draft.arn = makeArn("rds", c.region, c.accountId, "subgrp:" + name);
  draft.status = kAvailable;
  draft.goal = kAvailable;
  draft.spec = {{"DBSubnetGroupDescription", in.value("DBSubnetGroupDescription", "")},
                {"VpcId", (*subnets)["VpcId"]},
                {"SubnetIds", (*subnets)["SubnetIds"]}};
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kSubnetGroup, name)) {
      return ApiError::sender("DBSubnetGroupAlreadyExists", "The DB subnet group '" + name + "' already exists.");
    }
    if (catalog_.listResources(c.accountId, c.region, kSubnetGroup, "", kSubnetGroupsPerRegion).items.size() >=
        kSubnetGroupsPerRegion) {
      return ApiError::sender("DBSubnetGroupQuotaExceeded", "The request would result in exceeding the allowed "
                                                            "number of DB subnet groups (" +
                                                                std::to_string(kSubnetGroupsPerRegion) + ").");
    }
    auto stored = catalog_.createResource(draft);
    if (stored) catalog_.addTags(stored->arn, tagsFromInput(in));
    return stored;
  });
  if (!created) return created.error();
  return Json{{"DBSubnetGroup", dbSubnetGroupView(catalog_, c, *created)}};
}

Result<Json> RdsApi::describeSubnetGroups(const RequestContext& c, const Json& in) {
  auto limit = pageSizeOf(in);
  if (!limit) return limit.error();
  // RDS documents no filter for this call.
  for (const auto& filter : in.value("Filters", Json::array())) {
    return invalid("Unrecognized filter name: " + filter.value("Name", ""));
  }
  auto after = markerOf(in);
  if (!after) return after.error();
  std::vector<Resource> groups;
  if (in.contains("DBSubnetGroupName")) {
    auto group = findDbSubnetGroup(catalog_, c, in["DBSubnetGroupName"]);
    if (!group) return group.error();
    groups.push_back(*group);
  } else {
    if (auto fallback = findDbSubnetGroup(catalog_, c, kDefaultSubnetGroup)) groups.push_back(*fallback);
    std::string from;
    while (true) {
      ResourcePage page = catalog_.listResources(c.accountId, c.region, kSubnetGroup, from, 500);
      for (Resource& group : page.items) groups.push_back(std::move(group));
      if (!page.truncated || page.items.empty()) break;
      from = groups.back().name;
    }
  }
  std::erase_if(groups, [&](const Resource& group) { return group.name <= *after; });
  return pageOfRecords(std::move(groups), *limit, "DBSubnetGroups",
                       [&](const Resource& group) { return dbSubnetGroupView(catalog_, c, group); });
}

Result<Json> RdsApi::modifySubnetGroup(const RequestContext& c, const Json& in) {
  std::string name = lowerCase(in.value("DBSubnetGroupName", ""));
  if (name == kDefaultSubnetGroup) return invalid("The default DB subnet group cannot be modified.");
  auto found = findDbSubnetGroup(catalog_, c, name);
  if (!found) return found.error();
  auto subnets = checkedDbSubnets(catalog_, c, in.value("SubnetIds", Json::array()));
  if (!subnets) return subnets.error();
  auto updated = catalog_.transact([&]() -> Result<Resource> {
    auto group = findDbSubnetGroup(catalog_, c, name);
    if (!group) return group.error();
    std::string user = resourceInSubnetGroup(catalog_, c, name);
    if (!user.empty()) {
      // Its instances stay where they are: the group keeps their VPC and zones.
      if ((*subnets)["VpcId"] != group->spec["VpcId"]) {
        return ApiError::sender("InvalidSubnet", "The DB subnet group " + name + " is in use by " + user +
                                                     ": its subnets must stay in " +
                                                     group->spec.value("VpcId", std::string()) + ".");
      }
      Resource next = *group;
      next.spec["SubnetIds"] = (*subnets)["SubnetIds"];
      std::vector<std::string> zones = zonesOfDbSubnetGroup(catalog_, c, next);
      for (const char* kind : {kInstance}) {
        for (const Resource& instance : catalog_.listAllOfKind(kind)) {
          if (instance.accountId != c.accountId || instance.region != c.region || instance.status == kDeleted ||
              instance.spec.value("DBSubnetGroupName", "") != name) {
            continue;
          }
          for (const char* member : {"AvailabilityZone", "SecondaryAvailabilityZone"}) {
            std::string zone = instance.spec.value(member, "");
            if (!zone.empty() && std::find(zones.begin(), zones.end(), zone) == zones.end()) {
              return ApiError::sender("SubnetAlreadyInUse", "The DB instance " + instance.name + " uses " + zone +
                                                                ": a subnet of that zone must stay in the group.");
            }
          }
        }
      }
    }
    Resource next = *group;
    next.spec["VpcId"] = (*subnets)["VpcId"];
    next.spec["SubnetIds"] = (*subnets)["SubnetIds"];
    if (in.contains("DBSubnetGroupDescription")) next.spec["DBSubnetGroupDescription"] = in["DBSubnetGroupDescription"];
    return catalog_.updateResource(next);
  });
  if (!updated) return updated.error();
  return Json{{"DBSubnetGroup", dbSubnetGroupView(catalog_, c, *updated)}};
}

Result<Json> RdsApi::deleteSubnetGroup(const RequestContext& c, const Json& in) {
  std::string name = lowerCase(in.value("DBSubnetGroupName", ""));
  if (name == kDefaultSubnetGroup) return invalid("The default DB subnet group cannot be deleted.");
  return catalog_.transact([&]() -> Result<Json> {
    auto group = findDbSubnetGroup(catalog_, c, name);
    if (!group) return group.error();
    std::string user = resourceInSubnetGroup(catalog_, c, name);
    if (!user.empty()) {
      return ApiError::sender("InvalidDBSubnetGroupStateFault",
                              "Cannot delete the subnet group '" + name + "' because at least one database instance: " +
                                  user + " is still using it.");
    }
    catalog_.removeResource(group->id);
    return Json::object();
  });
}

}  // namespace kura::rds
