#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::elasticache {

Json userView(const Resource& user, const std::vector<std::string>& userGroups) {
  const Json& spec = user.spec;
  Json authentication = {{"Type", spec.value("AuthenticationType", "no-password")}};
  if (authentication["Type"] == "password") authentication["PasswordCount"] = spec.value("PasswordCount", 0);
  return {{"UserId", spec.value("UserId", user.name)},
          {"UserName", spec.value("UserName", "")},
          {"Status", user.status},
          {"Engine", "redis"},
          {"MinimumEngineVersion", "6.0"},
          {"AccessString", spec.value("AccessString", "")},
          {"UserGroupIds", userGroups},
          {"Authentication", authentication},
          {"ARN", user.arn}};
}

Json userGroupView(const Resource& userGroup, const std::vector<std::string>& groups) {
  return {{"UserGroupId", userGroup.name},
          {"Status", userGroup.status},
          {"Engine", "redis"},
          {"UserIds", userGroup.spec.value("UserIds", std::vector<std::string>())},
          {"MinimumEngineVersion", "6.0"},
          {"ReplicationGroups", groups},
          {"ARN", userGroup.arn}};
}

}  // namespace kura::elasticache
