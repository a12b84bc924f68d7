// Cache subnet groups: CreateCacheSubnetGroup, DescribeCacheSubnetGroups,
// ModifyCacheSubnetGroup, DeleteCacheSubnetGroup. A group is a set of
// subnets of one VPC; the clusters and replication groups in it take their
// nodes' zones from it (cache_network.h). Nothing reconciles a group.
#include <algorithm>
#include <cctype>

#include "catalog/arn.h"
#include "cache/memcached_nodes.h"
#include "services/ec2/network_lookup.h"
#include "services/elasticache/cache_network.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/elasticache/memcached_zones.h"
#include "services/rds/describe_paging.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_validation.h"

namespace kura::elasticache {
namespace {

constexpr size_t kGroupsPerRegion = 50;   // ElastiCache's default quotas
constexpr size_t kSubnetsPerGroup = 20;

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

// ElastiCache's rule: up to 255 letters, digits or hyphens.
std::optional<ApiError> checkName(const std::string& name) {
  if (name.empty() || name.size() > 255 || !std::all_of(name.begin(), name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-';
      })) {
    return invalid("The parameter CacheSubnetGroupName must contain no more than 255 alphanumeric characters or "
                   "hyphens.");
  }
  if (name == kDefaultCacheSubnetGroup) return invalid("The parameter CacheSubnetGroupName must not be default.");
  return std::nullopt;
}

// SubnetIds checked: all exist and are in one VPC (InvalidSubnet), at most
// kSubnetsPerGroup. Returns {VpcId, SubnetIds}.
Result<Json> checkedSubnets(Catalog& catalog, const RequestContext& c, const Json& in) {
  std::vector<std::string> ids = in.value("SubnetIds", std::vector<std::string>());
  if (ids.empty()) return invalid("The parameter SubnetIds must contain at least one subnet.");
  ec2::SubnetSelection selection = ec2::selectSubnets(catalog, c, ids);
  if (!selection.unknown.empty()) {
    return ApiError::sender("InvalidSubnet", "The subnet ID '" + selection.unknown + "' does not exist");
  }
  if (selection.mixedVpcs) return ApiError::sender("InvalidSubnet", "The subnets are not all in one VPC.");
  if (selection.subnets.size() > kSubnetsPerGroup) {
    return ApiError::sender("CacheSubnetQuotaExceededFault", "A cache subnet group has at most " +
                                                                 std::to_string(kSubnetsPerGroup) + " subnets.");
  }
  Json kept = Json::array();
  for (const Resource& subnet : selection.subnets) kept.push_back(subnet.name);
  return Json{{"VpcId", selection.vpcId}, {"SubnetIds", kept}};
}

// The zones the nodes of a cluster or replication group in `name` use.
std::vector<std::string> zonesInUse(Catalog& catalog, const RequestContext& c, const std::string& name) {
  std::vector<std::string> zones;
  for (const char* kind : {kCluster, kReplicationGroup}) {
    for (const Resource& resource : catalog.listAllOfKind(kind)) {
      if (resource.accountId != c.accountId || resource.region != c.region || resource.status == kDeleted ||
          resource.spec.value("CacheSubnetGroupName", "") != name) {
        continue;
      }
      if (resource.spec.contains("PreferredAvailabilityZone")) {
        zones.push_back(resource.spec["PreferredAvailabilityZone"]);
      }
      if (cache::isMemcached(resource)) {
        for (std::string& zone : memcachedNodeZones(resource)) zones.push_back(std::move(zone));
      }
      const Json members = resource.state.value("Members", Json::object());  // outlives the loop over it
      for (const auto& [member, node] : members.items()) zones.push_back(node.value("AvailabilityZone", ""));
    }
  }
  return zones;
}

Result<Json> createGroup(Catalog& catalog, const RequestContext& c, const Json& in) {
  std::string name = rds::lowerCase(in.value("CacheSubnetGroupName", ""));
  if (auto error = checkName(name)) return *error;
  auto subnets = checkedSubnets(catalog, c, in);
  if (!subnets) return subnets.error();
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kCacheSubnetGroup;
  draft.name = name;
  draft.arn = makeArn("elasticache", c.region, c.accountId, "subnetgroup:" + name);
  draft.status = kAvailable;
  draft.goal = kAvailable;
  draft.spec = {{"CacheSubnetGroupDescription", in.value("CacheSubnetGroupDescription", "")},
                {"VpcId", (*subnets)["VpcId"]},
                {"SubnetIds", (*subnets)["SubnetIds"]}};
  auto created = catalog.transact([&]() -> Result<Resource> {
    if (catalog.getResource(c.accountId, c.region, kCacheSubnetGroup, name)) {
      return ApiError::sender("CacheSubnetGroupAlreadyExists", "Cache subnet group " + name + " already exists.");
    }
    if (catalog.listResources(c.accountId, c.region, kCacheSubnetGroup, "", kGroupsPerRegion).items.size() >=
        kGroupsPerRegion) {
      return ApiError::sender("CacheSubnetGroupQuotaExceeded", "The quota of " + std::to_string(kGroupsPerRegion) +
                                                                   " cache subnet groups is reached.");
    }
    auto stored = catalog.createResource(draft);
    if (stored) catalog.addTags(stored->arn, rds::tagsFromInput(in));
    return stored;
  });
  if (!created) return created.error();
  return Json{{"CacheSubnetGroup", cacheSubnetGroupView(catalog, c, *created)}};
}

Result<Json> describeGroups(Catalog& catalog, const RequestContext& c, const Json& in) {
  auto limit = pageSize(in, 100);
  if (!limit) return limit.error();
  auto after = rds::markerOf(in);
  if (!after) return after.error();
  std::vector<Resource> groups;
  if (in.contains("CacheSubnetGroupName")) {
    auto group = findCacheSubnetGroup(catalog, c, in["CacheSubnetGroupName"]);
    if (!group) return group.error();
    groups.push_back(*group);
  } else {
    if (auto fallback = findCacheSubnetGroup(catalog, c, kDefaultCacheSubnetGroup)) groups.push_back(*fallback);
    std::string from;
    while (true) {
      ResourcePage page = catalog.listResources(c.accountId, c.region, kCacheSubnetGroup, from, 500);
      for (Resource& group : page.items) groups.push_back(std::move(group));
      if (!page.truncated || page.items.empty()) break;
      from = groups.back().name;
    }
  }
  std::erase_if(groups, [&](const Resource& group) { return group.name <= *after; });
  return rds::pageOfRecords(std::move(groups), *limit, "CacheSubnetGroups",
                            [&](const Resource& group) { return cacheSubnetGroupView(catalog, c, group); });
}

Result<Json> modifyGroup(Catalog& catalog, const RequestContext& c, const Json& in) {
  std::string name = rds::lowerCase(in.value("CacheSubnetGroupName", ""));
  if (name == kDefaultCacheSubnetGroup) return invalid("The default cache subnet group cannot be modified.");
  auto found = findCacheSubnetGroup(catalog, c, name);
  if (!found) return found.error();
  std::optional<Json> subnets;
  if (in.contains("SubnetIds")) {
    auto checked = checkedSubnets(catalog, c, in);
    if (!checked) return checked.error();
    subnets = *checked;
  }
  auto updated = catalog.transact([&]() -> Result<Resource> {
    auto group = findCacheSubnetGroup(catalog, c, name);
    if (!group) return group.error();
    Resource next = *group;
    if (subnets) {
      next.spec["VpcId"] = (*subnets)["VpcId"];
      next.spec["SubnetIds"] = (*subnets)["SubnetIds"];
      std::string user = resourceInCacheSubnetGroup(catalog, c, name);
      if (!user.empty() && next.spec["VpcId"] != group->spec["VpcId"]) {
        return ApiError::sender("InvalidSubnet", "Cache subnet group " + name + " is in use by " + user +
                                                     ": its subnets must stay in " +
                                                     group->spec.value("VpcId", std::string()) + ".");
      }
      // The subnets of the zones its nodes use stay.
      std::vector<std::string> zones = zonesOfCacheSubnetGroup(catalog, c, next);
      for (const std::string& zone : zonesInUse(catalog, c, name)) {
        if (std::find(zones.begin(), zones.end(), zone) == zones.end()) {
          return ApiError::sender("SubnetInUse", "The subnet of " + zone + " is in use by a node of group " + name +
                                                     ".");
        }
      }
    }
    if (in.contains("CacheSubnetGroupDescription")) {
      next.spec["CacheSubnetGroupDescription"] = in["CacheSubnetGroupDescription"];
    }
    return catalog.updateResource(next);
  });
  if (!updated) return updated.error();
  return Json{{"CacheSubnetGroup", cacheSubnetGroupView(catalog, c, *updated)}};
}

Result<Json> deleteGroup(Catalog& catalog, const RequestContext& c, const Json& in) {
  std::string name = rds::lowerCase(in.value("CacheSubnetGroupName", ""));
  if (name == kDefaultCacheSubnetGroup) return invalid("The default cache subnet group cannot be deleted.");
  return catalog.transact([&]() -> Result<Json> {
    auto group = findCacheSubnetGroup(catalog, c, name);
    if (!group) return group.error();
    if (std::string user = resourceInCacheSubnetGroup(catalog, c, name); !user.empty()) {
      return ApiError::sender("CacheSubnetGroupInUse", "Cache subnet group " + name + " is in use by " + user + ".");
    }
    catalog.removeResource(group->id);
    return Json::object();
  });
}

}  // namespace

void registerCacheSubnetGroupHandlers(HandlerTable& table, Catalog& catalog) {
  auto bind = [&](const char* operation, Result<Json> (*call)(Catalog&, const RequestContext&, const Json&)) {
    table.add(operation, [&catalog, call](const RequestContext& c, const Json& in) { return call(catalog, c, in); });
  };
  bind("CreateCacheSubnetGroup", &createGroup);
  bind("DescribeCacheSubnetGroups", &describeGroups);
  bind("ModifyCacheSubnetGroup", &modifyGroup);
  bind("DeleteCacheSubnetGroup", &deleteGroup);
}

}  // namespace kura::elasticache
