// Security groups and their rules.
#include <algorithm>
#include <cctype>
#include <set>

#include "services/ec2/cidr.h"
#include "services/ec2/ec2_api.h"
#include "services/ec2/ec2_kinds.h"
#include "services/ec2/ec2_records.h"
#include "services/ec2/network_lookup.h"
#include "services/ec2/security_rules.h"

namespace kura::ec2 {
namespace {

constexpr size_t kRulesPerDirection = 60;  // EC2's default quota per group

Json allTrafficOut() {
  SecurityRule rule;
  rule.id = newId("sgr");
  rule.egress = true;
  rule.protocol = "-1";
  rule.cidrIpv4 = "0.0.0.0/0";
  return Json::array({rule.toRecord()});
}

// "tcp", "6" -> tcp; "-1", "all" -> -1; other numbers as they are.
std::optional<std::string> normalizedProtocol(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (text == "-1" || text == "all") return "-1";
  if (text == "tcp" || text == "6") return "tcp";
  if (text == "udp" || text == "17") return "udp";
  if (text == "icmp" || text == "1") return "icmp";
  if (text == "icmpv6" || text == "58") return "icmpv6";
  if (text.empty() || text.size() > 3 ||
      !std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return std::nullopt;
  }
  if (std::stoi(text) > 255) return std::nullopt;
  return text;
}

bool hasPorts(const std::string& protocol) { return protocol == "tcp" || protocol == "udp"; }

std::string ruleText(const SecurityRule& rule) {
  std::string peer = !rule.cidrIpv4.empty() ? rule.cidrIpv4 : !rule.cidrIpv6.empty() ? rule.cidrIpv6 : rule.groupId;
  std::string protocol = rule.protocol == "-1" ? "ALL" : rule.protocol;
  std::transform(protocol.begin(), protocol.end(), protocol.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return "peer: " + peer + ", " + protocol + ", from port: " + std::to_string(rule.fromPort) +
         ", to port: " + std::to_string(rule.toPort) + ", ALLOW";
}

// One IpPermission of a request as rules of one peer each.
Result<std::vector<SecurityRule>> rulesOfPermission(Catalog& catalog, const RequestContext& c, const Resource& group,
                                                    const Json& permission, bool egress) {
  auto protocol = normalizedProtocol(permission.value("IpProtocol", ""));
  if (!protocol) {
    return ApiError::sender("InvalidParameterValue", "Invalid value '" + permission.value("IpProtocol", "") +
                                                         "' for IP protocol. Unknown protocol.");
  }
  SecurityRule base;
  base.egress = egress;
  base.protocol = *protocol;
  if (hasPorts(*protocol)) {
    if (!permission.contains("FromPort") || !permission.contains("ToPort")) {
      return ApiError::sender("InvalidParameterValue",
                              "Invalid value 'null' for portRange. Must specify both from and to ports with TCP/UDP.");
    }
    base.fromPort = permission["FromPort"].get<int>();
    base.toPort = permission["ToPort"].get<int>();
    if (base.fromPort < 0 || base.toPort > 65535 || base.fromPort > base.toPort) {
      return ApiError::sender("InvalidParameterValue", "Invalid TCP/UDP port range: from port " +
                                                           std::to_string(base.fromPort) + " to port " +
                                                           std::to_string(base.toPort) + ".");
    }
  } else if (*protocol == "icmp" || *protocol == "icmpv6") {
    base.fromPort = permission.value("FromPort", -1);
    base.toPort = permission.value("ToPort", -1);
    if (base.fromPort < -1 || base.fromPort > 255 || base.toPort < -1 || base.toPort > 255) {
      return ApiError::sender("InvalidParameterValue", "Invalid ICMP type or code: each is -1 or 0 to 255.");
    }
  }
  std::vector<SecurityRule> rules;
  for (bool v6 : {false, true}) {
    for (const auto& range : permission.value(v6 ? "Ipv6Ranges" : "IpRanges", Json::array())) {
      std::string text = range.value(v6 ? "CidrIpv6" : "CidrIp", "");
      auto cidr = parseCidr(text);
      if (!cidr || cidr->base.v6 != v6) {
        return ApiError::sender("InvalidParameterValue", "CIDR block " + text + " is malformed");
      }
      SecurityRule rule = base;
      // IPv6 has many spellings of one block (2001:DB8:0::/32); one is kept,
      // so that a duplicate or a revoke in another spelling is recognised.
      (v6 ? rule.cidrIpv6 : rule.cidrIpv4) = v6 ? cidr->text() : text;
      rule.description = range.value("Description", "");
      rules.push_back(rule);
    }
  }
  for (const auto& prefixList : permission.value("PrefixListIds", Json::array())) {
    std::string id = prefixList.value("PrefixListId", "");
    return ApiError::sender("InvalidPrefixListId.NotFound", "The prefix list ID '" + id + "' does not exist");
  }
  for (const auto& pair : permission.value("UserIdGroupPairs", Json::array())) {
    SecurityRule rule = base;
    rule.description = pair.value("Description", "");
    std::string owner = pair.value("UserId", c.accountId);
    if (owner != c.accountId) {
      return ApiError::sender("InvalidGroup.NotFound", "You have specified a security group of another account (" +
                                                           owner + "); Kura keeps each account's groups apart.");
    }
    if (pair.contains("GroupId")) {
      auto peer = findGroup(catalog, c, pair["GroupId"].get<std::string>());
      if (!peer) return peer.error();
      rule.groupId = peer->name;
    } else if (pair.contains("GroupName")) {
      std::string name = pair["GroupName"].get<std::string>();
      for (const Resource& candidate : listAll(catalog, c, kSecurityGroup)) {
        if (candidate.spec.value("VpcId", "") == group.spec.value("VpcId", "") &&
            candidate.spec.value("GroupName", "") == name) {
          rule.groupId = candidate.name;
        }
      }
      if (rule.groupId.empty()) {
        return ApiError::sender("InvalidGroup.NotFound", "The security group '" + name + "' does not exist");
      }
    } else {
      return ApiError::sender("MissingParameter", "The request must contain the parameter groupId");
    }
    rule.groupOwnerId = c.accountId;
    rules.push_back(rule);
  }
  if (rules.empty()) {
    return ApiError::sender("MissingParameter",
                            "The request must contain the parameter ipPermissions.ipRanges, ipv6Ranges or groups");
  }
  return rules;
}

// The rules a call names: its IpPermissions, or the older flat members.
Result<std::vector<SecurityRule>> requestedRules(Catalog& catalog, const RequestContext& c, const Resource& group,
                                                 const Json& in, bool egress) {
  Json permissions = in.value("IpPermissions", Json::array());
  if (in.contains("CidrIp") || in.contains("SourceSecurityGroupName") || in.contains("IpProtocol")) {
    Json permission = {{"IpProtocol", in.value("IpProtocol", "-1")}};
    if (in.contains("FromPort")) permission["FromPort"] = in["FromPort"];
    if (in.contains("ToPort")) permission["ToPort"] = in["ToPort"];
    if (in.contains("CidrIp")) permission["IpRanges"] = Json::array({{{"CidrIp", in["CidrIp"]}}});
    if (in.contains("SourceSecurityGroupName")) {
      Json pair = {{"GroupName", in["SourceSecurityGroupName"]}};
      if (in.contains("SourceSecurityGroupOwnerId")) pair["UserId"] = in["SourceSecurityGroupOwnerId"];
      permission["UserIdGroupPairs"] = Json::array({pair});
    }
    permissions.push_back(permission);
  }
  if (permissions.empty()) {
    return ApiError::sender("MissingParameter", "The request must contain the parameter ipPermissions");
  }
  // Each peer of a permission is one rule; more than a group may hold are
  // refused before any peer is looked up.
  size_t peers = 0;
  for (const auto& permission : permissions) {
    for (const char* list : {"IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs"}) {
      if (auto it = permission.find(list); it != permission.end()) peers += it->size();
    }
  }
  if (peers > kRulesPerDirection || permissions.size() > kRulesPerDirection) {
    return ApiError::sender("RulesPerSecurityGroupLimitExceeded",
                            "The maximum number of rules per security group has been reached.");
  }
  std::vector<SecurityRule> rules;
  for (const auto& permission : permissions) {
    auto some = rulesOfPermission(catalog, c, group, permission, egress);
    if (!some) return some.error();
    rules.insert(rules.end(), some->begin(), some->end());
  }
  return rules;
}

// Rules as IpPermissions: one per protocol and port range, its peers listed.
Json permissionsView(const std::vector<SecurityRule>& rules) {
  Json out = Json::array();
  std::vector<std::tuple<std::string, int, int>> order;
  for (const SecurityRule& rule : rules) {
    auto key = std::make_tuple(rule.protocol, rule.fromPort, rule.toPort);
    auto at = std::find(order.begin(), order.end(), key);
    size_t index = static_cast<size_t>(at - order.begin());
    if (at == order.end()) {
      order.push_back(key);
      Json permission = {{"IpProtocol", rule.protocol},
                         {"IpRanges", Json::array()},
                         {"Ipv6Ranges", Json::array()},
                         {"PrefixListIds", Json::array()},
                         {"UserIdGroupPairs", Json::array()}};
      if (rule.protocol != "-1") {
        permission["FromPort"] = rule.fromPort;
        permission["ToPort"] = rule.toPort;
      }
      out.push_back(permission);
    }
    Json& permission = out[index];
    Json peer = Json::object();
    if (!rule.cidrIpv4.empty()) {
      peer["CidrIp"] = rule.cidrIpv4;
    } else if (!rule.cidrIpv6.empty()) {
      peer["CidrIpv6"] = rule.cidrIpv6;
    } else {
      peer["GroupId"] = rule.groupId;
      peer["UserId"] = rule.groupOwnerId;
    }
    if (!rule.description.empty()) peer["Description"] = rule.description;
    const char* list = !rule.cidrIpv4.empty() ? "IpRanges" : !rule.cidrIpv6.empty() ? "Ipv6Ranges" : "UserIdGroupPairs";
    permission[list].push_back(peer);
  }
  return out;
}

Json ruleView(const Resource& group, const SecurityRule& rule, const std::vector<Tag>& tags) {
  Json view = {{"SecurityGroupRuleId", rule.id}, {"GroupId", group.name},   {"GroupOwnerId", group.accountId},
               {"IsEgress", rule.egress},        {"IpProtocol", rule.protocol}, {"FromPort", rule.fromPort},
               {"ToPort", rule.toPort}};
  if (!rule.cidrIpv4.empty()) view["CidrIpv4"] = rule.cidrIpv4;
  if (!rule.cidrIpv6.empty()) view["CidrIpv6"] = rule.cidrIpv6;
  if (!rule.groupId.empty()) {
    view["ReferencedGroupInfo"] = {{"GroupId", rule.groupId}, {"UserId", rule.groupOwnerId}};
  }
  if (!rule.description.empty()) view["Description"] = rule.description;
  view["Tags"] = tagList(tags);
  return view;
}

Json groupView(const Resource& group, const std::vector<Tag>& tags) {
  Json view = {{"GroupId", group.name},
               {"GroupName", group.spec.value("GroupName", "")},
               {"Description", group.spec.value("Description", "")},
               {"VpcId", group.spec.value("VpcId", "")},
               {"OwnerId", group.accountId},
               {"IpPermissions", permissionsView(rulesOf(group.spec, false))},
               {"IpPermissionsEgress", permissionsView(rulesOf(group.spec, true))}};
  if (!tags.empty()) view["Tags"] = tagList(tags);
  return view;
}

FilterValues groupFilterValues(const Resource& group) {
  FilterValues values = {{"group-id", {group.name}},
                         {"group-name", {group.spec.value("GroupName", "")}},
                         {"description", {group.spec.value("Description", "")}},
                         {"vpc-id", {group.spec.value("VpcId", "")}},
                         {"owner-id", {group.accountId}}};
  for (bool egress : {false, true}) {
    std::string prefix = egress ? "egress.ip-permission." : "ip-permission.";
    for (const SecurityRule& rule : rulesOf(group.spec, egress)) {
      values[prefix + "protocol"].push_back(rule.protocol);
      values[prefix + "from-port"].push_back(std::to_string(rule.fromPort));
      values[prefix + "to-port"].push_back(std::to_string(rule.toPort));
      if (!rule.cidrIpv4.empty()) values[prefix + "cidr"].push_back(rule.cidrIpv4);
      if (!rule.cidrIpv6.empty()) values[prefix + "ipv6-cidr"].push_back(rule.cidrIpv6);
      if (!rule.groupId.empty()) values[prefix + "group-id"].push_back(rule.groupId);
      if (!rule.groupId.empty()) values[prefix + "user-id"].push_back(rule.groupOwnerId);
    }
  }
  return values;
}

std::string ruleArn(const RequestContext& c, const std::string& ruleId) {
  return arnOf(c, "security-group-rule", ruleId);
}

void storeRules(Resource& group, const std::vector<SecurityRule>& ingress, const std::vector<SecurityRule>& egress) {
  Json in = Json::array(), out = Json::array();
  for (const SecurityRule& rule : ingress) in.push_back(rule.toRecord());
  for (const SecurityRule& rule : egress) out.push_back(rule.toRecord());
  group.spec["Ingress"] = std::move(in);
  group.spec["Egress"] = std::move(out);
}

Result<Resource> defaultVpcOf(Catalog& catalog, const RequestContext& c) {
  auto marker = catalog.getResource(c.accountId, c.region, kNetworkDefaults, "default");
  if (marker) {
    auto vpc = catalog.getResource(c.accountId, c.region, kVpc, marker->spec.value("DefaultVpcId", ""));
    if (vpc) return vpc;
  }
  return ApiError::sender("VPCIdNotSpecified", "No default VPC for this user");
}

// The group a call names by GroupId, or by GroupName in the default VPC.
Result<Resource> targetGroup(Catalog& catalog, const RequestContext& c, const Json& in) {
  if (in.contains("GroupId")) return findGroup(catalog, c, in["GroupId"].get<std::string>());
  if (!in.contains("GroupName")) {
    return ApiError::sender("MissingParameter", "The request must contain the parameter groupId or groupName");
  }
  std::string name = in["GroupName"].get<std::string>();
  auto vpc = defaultVpcOf(catalog, c);
  if (!vpc) return vpc.error();
  for (const Resource& group : listAll(catalog, c, kSecurityGroup)) {
    if (group.spec.value("VpcId", "") == vpc->name && group.spec.value("GroupName", "") == name) return group;
  }
  return ApiError::sender("InvalidGroup.NotFound",
                          "The security group '" + name + "' does not exist in default VPC '" + vpc->name + "'");
}

Result<Resource> updated(Catalog& catalog, const Resource& group) {
  auto stored = catalog.updateResource(group);
  if (!stored) throw std::runtime_error("ec2: cannot update " + group.name + ": " + stored.error().message);
  return stored;
}

}  // namespace

Resource defaultGroupRecord(const RequestContext& c, const std::string& vpcId) {
  std::string id = newId("sg");
  SecurityRule fromMembers;
  fromMembers.id = newId("sgr");
  fromMembers.protocol = "-1";
  fromMembers.groupId = id;
  fromMembers.groupOwnerId = c.accountId;
  return newRecord(c, kSecurityGroup, id,
                   {{"GroupName", "default"},
                    {"Description", "default VPC security group"},
                    {"VpcId", vpcId},
                    {"Ingress", Json::array({fromMembers.toRecord()})},
                    {"Egress", allTrafficOut()}});
}

Result<Json> Ec2Api::createSecurityGroup(const RequestContext& c, const Json& in) {
  std::string name = in.value("GroupName", "");
  std::string description = in.value("Description", "");
  if (name.empty() || name.size() > 255) {
    return ApiError::sender("InvalidParameterValue", "Value (" + name +
                                                         ") for parameter GroupName is invalid. Group names must be "
                                                         "between 1 and 255 characters.");
  }
  if (name.rfind("sg-", 0) == 0) {
    return ApiError::sender("InvalidParameterValue",
                            "Value (" + name + ") for parameter GroupName is invalid. Group names may not be in the "
                                               "format sg-*.");
  }
  if (name == "default") {
    return ApiError::sender("InvalidGroup.Reserved", "The security group 'default' is reserved");
  }
  if (description.size() > 255) {
    return ApiError::sender("InvalidParameterValue",
                            "Value for parameter GroupDescription is invalid. Descriptions are at most 255 "
                            "characters.");
  }
  auto tags = tagsToApply(in, "security-group");
  if (!tags) return tags.error();
  return catalog_.transact([&]() -> Result<Json> {
    auto vpc = in.contains("VpcId") ? findVpc(catalog_, c, in["VpcId"].get<std::string>()) : defaultVpcOf(catalog_, c);
    if (!vpc) return vpc.error();
    for (const Resource& group : listAll(catalog_, c, kSecurityGroup)) {
      if (group.spec.value("VpcId", "") == vpc->name && group.spec.value("GroupName", "") == name) {
        return ApiError::sender("InvalidGroup.Duplicate",
                                "The security group '" + name + "' already exists for VPC '" + vpc->name + "'");
      }
    }
    auto created = catalog_.createResource(newRecord(c, kSecurityGroup, newId("sg"),
                                                     {{"GroupName", name},
                                                      {"Description", description},
                                                      {"VpcId", vpc->name},
                                                      {"Ingress", Json::array()},
                                                      {"Egress", allTrafficOut()}}));
    if (!created) throw std::runtime_error("ec2: cannot record a security group: " + created.error().message);
    catalog_.addTags(created->arn, *tags);
    Json out = {{"GroupId", created->name}};
    if (!tags->empty()) out["Tags"] = tagList(*tags);
    return out;
  });
}

Result<Json> Ec2Api::deleteSecurityGroup(const RequestContext& c, const Json& in) {
  return catalog_.transact([&]() -> Result<Json> {
    auto group = targetGroup(catalog_, c, in);
    if (!group) return group.error();
    if (group->spec.value("GroupName", "") == "default") {
      return ApiError::sender("CannotDelete", "the specified group: \"" + group->name +
                                                  "\" name: \"default\" cannot be deleted by a user");
    }
    // A rule of another group that names it, or an interface in it, depends on it.
    for (const Resource& interface : listAll(catalog_, c, kNetworkInterface)) {
      for (const auto& member : interface.spec.value("Groups", Json::array())) {
        if (member == group->name) {
          return ApiError::sender("DependencyViolation", "resource " + group->name + " has a dependent object");
        }
      }
    }
    // A database still behind it keeps it, as a network interface would in EC2.
    if (std::string user = databaseUsingGroup(catalog_, c, group->name); !user.empty()) {
      return ApiError::sender("DependencyViolation", "resource " + group->name + " has a dependent object");
    }
    for (const Resource& other : listAll(catalog_, c, kSecurityGroup)) {
      if (other.name == group->name) continue;
      for (bool egress : {false, true}) {
        for (const SecurityRule& rule : rulesOf(other.spec, egress)) {
          if (rule.groupId == group->name) {
            return ApiError::sender("DependencyViolation", "resource " + group->name + " has a dependent object");
          }
        }
      }
    }
    for (bool egress : {false, true}) {
      for (const SecurityRule& rule : rulesOf(group->spec, egress)) catalog_.deleteAllTags(ruleArn(c, rule.id));
    }
    catalog_.removeResource(group->id);
    return Json{{"Return", true}, {"GroupId", group->name}};
  });
}

Result<Json> Ec2Api::describeSecurityGroups(const RequestContext& c, const Json& in) {
  auto filters = parseFilters(
      in, {"group-id", "group-name", "description", "vpc-id", "owner-id", "ip-permission.protocol",
           "ip-permission.from-port", "ip-permission.to-port", "ip-permission.cidr", "ip-permission.ipv6-cidr",
           "ip-permission.group-id", "ip-permission.user-id", "egress.ip-permission.protocol",
           "egress.ip-permission.from-port", "egress.ip-permission.to-port", "egress.ip-permission.cidr",
           "egress.ip-permission.ipv6-cidr", "egress.ip-permission.group-id", "egress.ip-permission.user-id"});
  if (!filters) return filters.error();
  std::vector<Resource> groups;
  std::vector<std::string> ids = in.value("GroupIds", std::vector<std::string>{});
  std::vector<std::string> names = in.value("GroupNames", std::vector<std::string>{});
  for (const std::string& id : ids) {
    auto group = findGroup(catalog_, c, id);
    if (!group) return group.error();
    groups.push_back(*group);
  }
  for (const std::string& name : names) {
    auto group = targetGroup(catalog_, c, Json{{"GroupName", name}});
    if (!group) return group.error();
    groups.push_back(*group);
  }
  if (ids.empty() && names.empty()) groups = listAll(catalog_, c, kSecurityGroup);
  Json items = Json::array();
  for (const Resource& group : groups) {
    std::vector<Tag> tags = catalog_.listTags(group.arn);
    if (matchesFilters(*filters, groupFilterValues(group), tags)) items.push_back(groupView(group, tags));
  }
  Json out = Json::object();
  auto page = pageOf(in, std::move(items), out);
  if (!page) return page.error();
  out["SecurityGroups"] = std::move(*page);
  return out;
}

Result<Json> Ec2Api::describeSecurityGroupRules(const RequestContext& c, const Json& in) {
  auto filters = parseFilters(in, {"group-id", "security-group-rule-id"});
  if (!filters) return filters.error();
  std::vector<std::string> ids = in.value("SecurityGroupRuleIds", std::vector<std::string>{});
  std::set<std::string> found;
  Json items = Json::array();
  for (const Resource& group : listAll(catalog_, c, kSecurityGroup)) {
    for (bool egress : {false, true}) {
      for (const SecurityRule& rule : rulesOf(group.spec, egress)) {
        if (!ids.empty() && std::find(ids.begin(), ids.end(), rule.id) == ids.end()) continue;
        found.insert(rule.id);
        std::vector<Tag> tags = catalog_.listTags(ruleArn(c, rule.id));
        FilterValues values = {{"group-id", {group.name}}, {"security-group-rule-id", {rule.id}}};
        if (matchesFilters(*filters, values, tags)) items.push_back(ruleView(group, rule, tags));
      }
    }
  }
  for (const std::string& id : ids) {
    if (!found.contains(id)) {
      return ApiError::sender("InvalidSecurityGroupRuleId.NotFound",
                              "The security group rule ID '" + id + "' does not exist");
    }
  }
  Json out = Json::object();
  auto page = pageOf(in, std::move(items), out);
  if (!page) return page.error();
  out["SecurityGroupRules"] = std::move(*page);
  return out;
}

Result<Json> Ec2Api::authorize(const RequestContext& c, const Json& in, bool egress) {
  auto tags = tagsToApply(in, "security-group-rule");
  if (!tags) return tags.error();
  return catalog_.transact([&]() -> Result<Json> {
    auto group = targetGroup(catalog_, c, in);
    if (!group) return group.error();
    auto requested = requestedRules(catalog_, c, *group, in, egress);
    if (!requested) return requested.error();
    std::vector<SecurityRule> ingress = rulesOf(group->spec, false);
    std::vector<SecurityRule> egressRules = rulesOf(group->spec, true);
    std::vector<SecurityRule>& rules = egress ? egressRules : ingress;
    Json added = Json::array();
    for (SecurityRule& rule : *requested) {
      for (const SecurityRule& existing : rules) {
        if (existing.sameAs(rule)) {
          return ApiError::sender("InvalidPermission.Duplicate",
                                  "the specified rule \"" + ruleText(rule) + "\" already exists");
        }
      }
      rule.id = newId("sgr");
      rules.push_back(rule);
    }
    if (rules.size() > kRulesPerDirection) {
      return ApiError::sender("RulesPerSecurityGroupLimitExceeded",
                              "The maximum number of rules per security group has been reached.");
    }
    for (const SecurityRule& rule : *requested) {
      catalog_.addTags(ruleArn(c, rule.id), *tags);
      added.push_back(ruleView(*group, rule, *tags));
    }
    Resource changed = *group;
    storeRules(changed, ingress, egressRules);
    auto stored = updated(catalog_, changed);
    if (!stored) return stored.error();
    return Json{{"Return", true}, {"SecurityGroupRules", std::move(added)}};
  });
}

Result<Json> Ec2Api::revoke(const RequestContext& c, const Json& in, bool egress) {
  return catalog_.transact([&]() -> Result<Json> {
    auto group = targetGroup(catalog_, c, in);
    if (!group) return group.error();
    std::vector<SecurityRule> ingress = rulesOf(group->spec, false);
    std::vector<SecurityRule> egressRules = rulesOf(group->spec, true);
    std::vector<SecurityRule>& rules = egress ? egressRules : ingress;
    std::vector<std::string> removed;
    std::vector<SecurityRule> unknown;
    if (in.contains("SecurityGroupRuleIds")) {
      for (const auto& id : in["SecurityGroupRuleIds"]) {
        auto at = std::find_if(rules.begin(), rules.end(), [&](const SecurityRule& rule) { return rule.id == id; });
        if (at == rules.end()) {
          return ApiError::sender("InvalidSecurityGroupRuleId.NotFound",
                                  "The security group rule ID '" + id.get<std::string>() + "' does not exist");
        }
        removed.push_back(at->id);
        rules.erase(at);
      }
    } else {
      auto requested = requestedRules(catalog_, c, *group, in, egress);
      if (!requested) return requested.error();
      for (const SecurityRule& wanted : *requested) {
        auto at = std::find_if(rules.begin(), rules.end(), [&](const SecurityRule& rule) { return rule.sameAs(wanted); });
        if (at == rules.end()) {
          unknown.push_back(wanted);
          continue;
        }
        removed.push_back(at->id);
        rules.erase(at);
      }
    }
    if (!unknown.empty()) {
      auto vpc = catalog_.getResource(c.accountId, c.region, kVpc, group->spec.value("VpcId", ""));
      // EC2 refuses the whole call in a VPC of the user's; the default VPC
      // revokes what it found and lists the rest.
      if (!vpc || !vpc->spec.value("IsDefault", false)) {
        return ApiError::sender("InvalidPermission.NotFound",
                                "The specified rule does not exist in this security group.");
      }
    }
    for (const std::string& id : removed) catalog_.deleteAllTags(ruleArn(c, id));
    Resource changed = *group;
    storeRules(changed, ingress, egressRules);
    auto stored = updated(catalog_, changed);
    if (!stored) return stored.error();
    Json out = {{"Return", true}};
    if (!unknown.empty()) out["UnknownIpPermissions"] = permissionsView(unknown);
    return out;
  });
}

}  // namespace kura::ec2
