#pragma once
// What the EC2 handlers share: ids, ARNs, lookups of the records by id,
// tags and TagSpecifications, the availability zones, and Describe's
// Filters and pages.
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "services/core/handler_table.h"

namespace kura::ec2 {

// "vpc-" followed by 17 hex digits, as EC2 writes ids.
std::string newId(const std::string& prefix);
std::string arnOf(const RequestContext& c, const std::string& kind, const std::string& id);
Resource newRecord(const RequestContext& c, const std::string& kind, const std::string& id, Json spec);
std::vector<Resource> listAll(Catalog& catalog, const RequestContext& c, const std::string& kind);

// Looks a VPC, subnet, group or network interface up by id: NotFound or
// Malformed as EC2 says.
Result<Resource> findVpc(Catalog& catalog, const RequestContext& c, const std::string& id);
Result<Resource> findSubnet(Catalog& catalog, const RequestContext& c, const std::string& id);
Result<Resource> findGroup(Catalog& catalog, const RequestContext& c, const std::string& id);
Result<Resource> findInterface(Catalog& catalog, const RequestContext& c, const std::string& id);

// The region's zones, as RDS places instances: <region>a, b and c.
std::vector<std::string> zonesOf(const std::string& region);
// EC2's zone ids: ap-northeast-1a -> apne1-az1.
std::string zoneIdOf(const std::string& region, const std::string& zone);

// Tags as EC2 lists them: [{"Key", "Value"}].
Json tagList(const std::vector<Tag>& tags);
// The tags of the TagSpecifications whose ResourceType is `resourceType`;
// InvalidParameterValue for another type or a reserved key.
Result<std::vector<Tag>> tagsToApply(const Json& in, const std::string& resourceType);
Result<std::vector<Tag>> checkedTags(const Json& tags);

// Describe's Filters: each named filter must match (any of its values,
// with * and ? wildcards), tag:<key>, tag-key and tag-value included.
struct Filter {
  std::string name;
  std::vector<std::string> values;
};
using FilterValues = std::map<std::string, std::vector<std::string>>;
Result<std::vector<Filter>> parseFilters(const Json& in, const std::vector<std::string>& known);
bool matchesFilters(const std::vector<Filter>& filters, const FilterValues& values, const std::vector<Tag>& tags);

// One page of `items` after NextToken, at most MaxResults (all when absent);
// sets NextToken in `out` when more follow.
Result<Json> pageOf(const Json& in, Json items, Json& out);

// A VPC's "default" security group: all traffic from its own members in,
// everything out (security_group_handlers.cpp).
Resource defaultGroupRecord(const RequestContext& c, const std::string& vpcId);

// DryRunOperation: what EC2 answers a call whose DryRun is true.
ApiError dryRunError();

}  // namespace kura::ec2
