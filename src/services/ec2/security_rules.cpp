#include "services/ec2/security_rules.h"

#include <algorithm>

namespace kura::ec2 {

using Json = nlohmann::json;

bool SecurityRule::sameAs(const SecurityRule& other) const {
  return egress == other.egress && protocol == other.protocol && fromPort == other.fromPort &&
         toPort == other.toPort && cidrIpv4 == other.cidrIpv4 && cidrIpv6 == other.cidrIpv6 &&
         groupId == other.groupId;
}

bool SecurityRule::admitsTcp(const ConnectionSource& source, int port) const {
  if (egress) return false;
  if (protocol != "-1" && protocol != "tcp") return false;
  if (protocol == "tcp" && (port < fromPort || port > toPort)) return false;
  if (!groupId.empty()) {
    return std::find(source.groupIds.begin(), source.groupIds.end(), groupId) != source.groupIds.end();
  }
  const std::string& text = cidrIpv4.empty() ? cidrIpv6 : cidrIpv4;
  auto block = parseCidr(text);
  return block && block->contains(source.address);
}

Json SecurityRule::toRecord() const {
  Json record = {{"Id", id}, {"Egress", egress}, {"Protocol", protocol}, {"FromPort", fromPort}, {"ToPort", toPort}};
  if (!cidrIpv4.empty()) record["CidrIpv4"] = cidrIpv4;
  if (!cidrIpv6.empty()) record["CidrIpv6"] = cidrIpv6;
  if (!groupId.empty()) {
    record["GroupId"] = groupId;
    record["GroupOwnerId"] = groupOwnerId;
  }
  if (!description.empty()) record["Description"] = description;
  return record;
}

SecurityRule SecurityRule::fromRecord(const Json& record) {
  SecurityRule rule;
  rule.id = record.value("Id", "");
  rule.egress = record.value("Egress", false);
  rule.protocol = record.value("Protocol", "-1");
  rule.fromPort = record.value("FromPort", -1);
  rule.toPort = record.value("ToPort", -1);
  rule.cidrIpv4 = record.value("CidrIpv4", "");
  rule.cidrIpv6 = record.value("CidrIpv6", "");
  rule.groupId = record.value("GroupId", "");
  rule.groupOwnerId = record.value("GroupOwnerId", "");
  rule.description = record.value("Description", "");
  return rule;
}

std::vector<SecurityRule> rulesOf(const Json& groupSpec, bool egress) {
  std::vector<SecurityRule> rules;
  auto it = groupSpec.find(egress ? "Egress" : "Ingress");
  if (it == groupSpec.end() || !it->is_array()) return rules;
  for (const auto& record : *it) rules.push_back(SecurityRule::fromRecord(record));
  return rules;
}

}  // namespace kura::ec2
