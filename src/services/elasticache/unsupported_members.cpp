#include "services/elasticache/unsupported_members.h"

#include <array>
#include <string_view>

namespace kura::elasticache {
namespace {

struct Unsupported {
  std::string_view member;
  std::string_view why;
  std::optional<std::string_view> harmless;  // a value that asks for what Kura does anyway
};

constexpr std::array<Unsupported, 12> kUnsupported = {{
    {"NotificationTopicArn", "Kura sends no notifications to an SNS topic; read DescribeEvents.", std::nullopt},
    {"NotificationTopicStatus", "Kura sends no notifications to an SNS topic; read DescribeEvents.", "inactive"},
    {"CacheSecurityGroupNames", "Cache security groups are EC2-Classic's; give SecurityGroupIds.", std::nullopt},
    {"LogDeliveryConfigurations", "Kura delivers no slow or engine logs to CloudWatch Logs or Firehose.", std::nullopt},
    {"IpDiscovery", "Kura's nodes are reached over IPv4 only.", "ipv4"},
    {"NetworkType", "Kura's nodes are reached over IPv4 only.", "ipv4"},
    {"DataTieringEnabled", "Kura has no data tiering: a node keeps its data in memory.", "false"},
    {"OutpostMode", "Kura runs no nodes on Outposts.", std::nullopt},
    {"PreferredOutpostArn", "Kura runs no nodes on Outposts.", std::nullopt},
    {"PreferredOutpostArns", "Kura runs no nodes on Outposts.", std::nullopt},
    {"PrimaryOutpostArn", "Kura runs no nodes on Outposts.", std::nullopt},
    {"ReplicaOutpostArns", "Kura runs no nodes on Outposts.", std::nullopt},
}};

bool harmless(const Json& value, const Unsupported& rule) {
  if (value.is_array() && value.empty()) return true;
  if (!rule.harmless) return false;
  if (value.is_boolean()) return (value.get<bool>() ? "true" : "false") == *rule.harmless;
  return value.is_string() && value.get<std::string>() == *rule.harmless;
}

std::optional<ApiError> refuseIn(const Json& object, const std::string& path) {
  if (!object.is_object()) return std::nullopt;
  for (const Unsupported& rule : kUnsupported) {
    auto found = object.find(std::string(rule.member));
    if (found == object.end() || harmless(*found, rule)) continue;
    return ApiError::sender("InvalidParameterValue", "The parameter " + path + std::string(rule.member) +
                                                         " is not supported by Kura: " + std::string(rule.why) +
                                                         " Nothing was done.");
  }
  // Members of a node group's or replica count's configuration.
  for (const char* list : {"NodeGroupConfiguration", "ReplicaConfiguration"}) {
    auto found = object.find(list);
    if (found == object.end() || !found->is_array()) continue;
    for (const Json& entry : *found) {
      if (auto refused = refuseIn(entry, path + list + ".")) return refused;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> refuseUnsupportedMembers(const Json& in) { return refuseIn(in, ""); }

}  // namespace kura::elasticache
