// CreateTags, DeleteTags and DescribeTags over VPCs, subnets, security
// groups and their rules, and network interfaces (tags are the catalog's,
// per ARN).
#include "services/ec2/ec2_api.h"
#include "services/ec2/ec2_kinds.h"
#include "services/ec2/ec2_records.h"
#include "services/ec2/security_rules.h"

namespace kura::ec2 {
namespace {

struct Tagged {
  std::string id;
  std::string type;  // vpc, subnet, security-group, security-group-rule, network-interface
  std::string arn;
};

// The resource an id names, or the error EC2 gives for it.
Result<Tagged> taggedResource(Catalog& catalog, const RequestContext& c, const std::string& id) {
  if (id.rfind("vpc-", 0) == 0) {
    auto vpc = findVpc(catalog, c, id);
    if (!vpc) return vpc.error();
    return Tagged{id, "vpc", vpc->arn};
  }
  if (id.rfind("subnet-", 0) == 0) {
    auto subnet = findSubnet(catalog, c, id);
    if (!subnet) return subnet.error();
    return Tagged{id, "subnet", subnet->arn};
  }
  if (id.rfind("eni-", 0) == 0) {
    auto interface = findInterface(catalog, c, id);
    if (!interface) return interface.error();
    return Tagged{id, "network-interface", interface->arn};
  }
  if (id.rfind("sgr-", 0) == 0) {
    for (const Resource& group : listAll(catalog, c, kSecurityGroup)) {
      for (bool egress : {false, true}) {
        for (const SecurityRule& rule : rulesOf(group.spec, egress)) {
          if (rule.id == id) return Tagged{id, "security-group-rule", arnOf(c, "security-group-rule", id)};
        }
      }
    }
    return ApiError::sender("InvalidSecurityGroupRuleId.NotFound",
                            "The security group rule ID '" + id + "' does not exist");
  }
  if (id.rfind("sg-", 0) == 0) {
    auto group = findGroup(catalog, c, id);
    if (!group) return group.error();
    return Tagged{id, "security-group", group->arn};
  }
  return ApiError::sender("InvalidID", "The ID '" + id + "' is not valid");
}

constexpr size_t kMaxResources = 1000;  // EC2's bound on one CreateTags or DeleteTags

Result<std::vector<Tagged>> taggedResources(Catalog& catalog, const RequestContext& c, const Json& in) {
  std::vector<Tagged> out;
  const Json ids = in.value("Resources", Json::array());
  if (ids.size() > kMaxResources) {
    return ApiError::sender("InvalidParameterValue", "A call may name at most " + std::to_string(kMaxResources) +
                                                         " resources; it named " + std::to_string(ids.size()) + ".");
  }
  for (const auto& id : ids) {
    auto tagged = taggedResource(catalog, c, id.get<std::string>());
    if (!tagged) return tagged.error();
    out.push_back(*tagged);
  }
  return out;
}

}  // namespace

Result<Json> Ec2Api::createTags(const RequestContext& c, const Json& in) {
  auto tags = checkedTags(in.value("Tags", Json::array()));
  if (!tags) return tags.error();
  return catalog_.transact([&]() -> Result<Json> {
    auto resources = taggedResources(catalog_, c, in);
    if (!resources) return resources.error();
    for (const Tagged& resource : *resources) {
      catalog_.addTags(resource.arn, *tags);
      if (catalog_.listTags(resource.arn).size() > 50) {
        return ApiError::sender("TagLimitExceeded", "The maximum number of tags for " + resource.id + " is 50.");
      }
    }
    return Json::object();
  });
}

Result<Json> Ec2Api::deleteTags(const RequestContext& c, const Json& in) {
  return catalog_.transact([&]() -> Result<Json> {
    auto resources = taggedResources(catalog_, c, in);
    if (!resources) return resources.error();
    for (const Tagged& resource : *resources) {
      if (!in.contains("Tags")) {
        catalog_.deleteAllTags(resource.arn);
        continue;
      }
      std::vector<Tag> current = catalog_.listTags(resource.arn);
      std::vector<std::string> keys;
      for (const auto& tag : in["Tags"]) {
        std::string key = tag.value("Key", "");
        for (const Tag& have : current) {
          // A value given deletes the tag only when it is the tag's value.
          if (have.key == key && (!tag.contains("Value") || tag["Value"] == have.value)) keys.push_back(key);
        }
      }
      catalog_.removeTags(resource.arn, keys);
    }
    return Json::object();
  });
}

Result<Json> Ec2Api::describeTags(const RequestContext& c, const Json& in) {
  auto filters = parseFilters(in, {"key", "value", "resource-id", "resource-type"});
  if (!filters) return filters.error();
  std::vector<Tagged> resources;
  for (const char* kind : {kVpc, kSubnet, kSecurityGroup, kNetworkInterface}) {
    for (const Resource& record : listAll(catalog_, c, kind)) {
      std::string type = kind;  // the catalog's kinds are EC2's resource types
      resources.push_back({record.name, type, record.arn});
      if (kind != std::string(kSecurityGroup)) continue;
      for (bool egress : {false, true}) {
        for (const SecurityRule& rule : rulesOf(record.spec, egress)) {
          resources.push_back({rule.id, "security-group-rule", arnOf(c, "security-group-rule", rule.id)});
        }
      }
    }
  }
  Json items = Json::array();
  for (const Tagged& resource : resources) {
    for (const Tag& tag : catalog_.listTags(resource.arn)) {
      FilterValues values = {{"key", {tag.key}},
                             {"value", {tag.value}},
                             {"resource-id", {resource.id}},
                             {"resource-type", {resource.type}}};
      if (!matchesFilters(*filters, values, {})) continue;
      items.push_back(
          {{"ResourceId", resource.id}, {"ResourceType", resource.type}, {"Key", tag.key}, {"Value", tag.value}});
    }
  }
  Json out = Json::object();
  auto page = pageOf(in, std::move(items), out);
  if (!page) return page.error();
  out["Tags"] = std::move(*page);
  return out;
}

}  // namespace kura::ec2
