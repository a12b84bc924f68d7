#include "services/ec2/endpoint_admission.h"

#include <algorithm>

#include "catalog/catalog.h"
#include "services/ec2/ec2_kinds.h"
#include "services/ec2/ec2_records.h"
#include "services/ec2/network_lookup.h"
#include "services/ec2/network_members.h"
#include "services/ec2/security_policy.h"

namespace kura::ec2 {
namespace {

// Decisions kept between two changes of the catalog: enough for every
// source of a busy host; past it they are all forgotten at once.
constexpr size_t kMaxDecisions = 4096;

// The groups a resource was given, by the name its service calls them.
std::vector<std::string> groupsOf(const Resource& resource) {
  const char* key = resource.service == "elasticache" ? "SecurityGroupIds" : "VpcSecurityGroupIds";
  std::vector<std::string> groups;
  if (resource.spec.contains(key) && resource.spec[key].is_array()) {
    for (const auto& id : resource.spec[key]) {
      if (id.is_string()) groups.push_back(id.get<std::string>());
    }
  }
  return groups;
}

// The ids of every VPC's default group in the account and region.
std::vector<std::string> defaultGroups(Catalog& catalog, const RequestContext& place) {
  std::vector<std::string> ids;
  for (const Resource& group : listAll(catalog, place, kSecurityGroup)) {
    if (group.spec.value("GroupName", "") == "default") ids.push_back(group.name);
  }
  return ids;
}

}  // namespace

bool EndpointAdmission::admits(const std::string& endpoint, const IpAddress& source, int port) {
  IpAddress address = unmapped(source);
  std::string arn = endpoint.substr(0, endpoint.find('#'));
  Key key{arn, address.v6, address.bytes, port};
  std::lock_guard lock(mutex_);
  // The generation first, then the catalog: a change committed in between
  // makes the next call decide again.
  uint64_t generation = catalog_.generation();
  if (generation != generation_ || decisions_.size() >= kMaxDecisions) {
    decisions_.clear();
    generation_ = generation;
  }
  if (auto known = decisions_.find(key); known != decisions_.end()) return known->second;
  bool pass = decide(arn, address, port);
  decisions_.emplace(std::move(key), pass);
  return pass;
}

bool EndpointAdmission::decide(const std::string& arn, const IpAddress& source, int port) {
  auto resource = catalog_.getResourceByArn(arn);
  if (!resource) return false;  // gone: nothing to reach
  // An Aurora instance is reached through its cluster's groups.
  Resource owner = *resource;
  if (std::string cluster = owner.spec.value("ClusterArn", ""); owner.service == "rds" && !cluster.empty()) {
    auto found = catalog_.getResourceByArn(cluster);
    if (found) owner = *found;
  }
  RequestContext place;  // the resource's account and region
  place.accountId = owner.accountId;
  place.region = owner.region;
  std::vector<std::string> groups = groupsOf(owner);
  if (groups.empty()) {
    // Recorded without groups: in the default VPC's default group, if the
    // region ever had a network; if not, there is nothing to restrict.
    auto marker = catalog_.getResource(place.accountId, place.region, kNetworkDefaults, "default");
    if (!marker) return true;
    std::string group = defaultGroupOf(catalog_, place, marker->spec.value("DefaultVpcId", ""));
    if (group.empty()) return false;
    groups.push_back(group);
  }
  ConnectionSource from{source, groupsOfAddress(catalog_, place.accountId, place.region, source)};
  if (from.groupIds.empty()) from.groupIds = defaultGroups(catalog_, place);
  return makeCatalogSecurityPolicy(catalog_)->admitsTcp(place.accountId, place.region, groups, from, port);
}

}  // namespace kura::ec2
