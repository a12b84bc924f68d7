// In-transit encryption, AUTH tokens and user groups of cache clusters and
// replication groups: what the API checks and records. The records' client
// users (cache/client_users.h) are set on the nodes by the controllers.
#include <algorithm>

#include "cache/client_users.h"
#include "common/time_format.h"
#include "engines/redis_access_string.h"
#include "engines/redis_acl.h"
#include "services/elasticache/auth_token.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/rds/rds_validation.h"

namespace kura::elasticache {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError combination(std::string message) {
  return ApiError::sender("InvalidParameterCombination", std::move(message));
}
ApiError noTransitEncryption() {
  return combination("The AUTH token and user groups are only supported when encryption in-transit is enabled "
                     "(TransitEncryptionEnabled).");
}

std::vector<std::string> stringsOf(const Json& spec, const char* member) {
  std::vector<std::string> values;
  if (!spec.contains(member) || !spec[member].is_array()) return values;
  for (const auto& value : spec[member]) values.push_back(value.get<std::string>());
  return values;
}

}  // namespace

std::vector<Resource> ElastiCacheApi::allOfKind(const RequestContext& c, const std::string& kind) {
  std::vector<Resource> all;
  for (std::string after;;) {
    ResourcePage page = catalog_.listResources(c.accountId, c.region, kind, after, 500);
    for (Resource& resource : page.items) {
      after = resource.name;
      if (resource.status != kDeleted) all.push_back(std::move(resource));
    }
    if (!page.truncated || page.items.empty()) break;
  }
  return all;
}

std::optional<ApiError> ElastiCacheApi::recordNewAccess(const RequestContext& c, const Json& in, Json& spec,
                                                        bool group) {
  bool tls = in.value("TransitEncryptionEnabled", false);
  bool token = in.contains("AuthToken");
  bool userGroups = group && in.contains("UserGroupIds") && !in["UserGroupIds"].empty();
  if ((token || userGroups) && !tls) return noTransitEncryption();
  if (token && userGroups) return combination("Give AuthToken or UserGroupIds, not both.");
  if (tls && (config_.certificateAuthority == nullptr || config_.secrets == nullptr)) {
    return combination("In-transit encryption is not available on this Kura host (it has no certificate authority).");
  }
  spec["TransitEncryptionEnabled"] = tls;
  if (token) {
    if (auto error = checkAuthToken(in["AuthToken"].get<std::string>())) return error;
    spec["AuthTokenHashesSealed"] = sealHashes(*config_.secrets, {passwordHash(in["AuthToken"].get<std::string>())});
    spec["AuthTokenLastModifiedDate"] = toEpochSeconds(catalog_.clock()->now());
  }
  if (userGroups) {
    if (in["UserGroupIds"].size() > 1) return invalid("A replication group can use one user group.");
    spec["UserGroupIds"] = Json::array();
    for (const auto& id : in["UserGroupIds"]) {
      auto found = findUserGroup(c, id.get<std::string>());
      if (!found) return found.error();
      spec["UserGroupIds"].push_back(found->name);
    }
  }
  Resource draft;
  draft.spec = spec;
  draft.status = kCreating;
  if (auto error = recordClientUsers(c, draft)) return error;
  spec = draft.spec;
  return std::nullopt;
}

Result<bool> ElastiCacheApi::modifyAccess(const RequestContext& c, const Json& in, Resource& owner) {
  Json& spec = owner.spec;
  bool tls = spec.value("TransitEncryptionEnabled", false);
  std::vector<std::string> userGroups = stringsOf(spec, "UserGroupIds");
  std::vector<std::string> hashes;
  if (spec.contains("AuthTokenHashesSealed") && config_.secrets != nullptr) {
    hashes = openHashes(*config_.secrets, spec["AuthTokenHashesSealed"]);
  }
  bool changed = false;
  std::string strategy = in.value("AuthTokenUpdateStrategy", "");
  bool token = in.contains("AuthToken");
  if (token || !strategy.empty()) {
    if (!tls) return noTransitEncryption();
    // ROTATE when none is given, as ElastiCache.
    if (strategy.empty()) strategy = "ROTATE";
    if (strategy == "DELETE") {
      if (hashes.empty()) return combination("The AUTH token cannot be deleted: " + owner.name + " has none.");
      if (!in.contains("UserGroupIdsToAdd")) {
        return combination("AuthTokenUpdateStrategy DELETE is allowed only when moving to role-based access "
                           "control: give UserGroupIdsToAdd.");
      }
      hashes.clear();
      spec.erase("AuthTokenHashesSealed");
    } else {
      if (!token) return combination("AuthTokenUpdateStrategy " + strategy + " needs an AuthToken.");
      if (auto error = checkAuthToken(in["AuthToken"].get<std::string>())) return *error;
      if (!userGroups.empty()) {
        return combination(owner.name + " uses user groups: remove them before giving it an AUTH token.");
      }
      std::string hash = passwordHash(in["AuthToken"].get<std::string>());
      if (strategy == "SET") {
        // Ends a rotation: the new token alone.
        if (hashes.empty()) {
          return combination("AuthTokenUpdateStrategy SET is allowed only after ROTATE: " + owner.name +
                             " has no AUTH token.");
        }
        hashes = {hash};
      } else if (hashes.empty() || hashes.back() != hash) {
        // ROTATE: the newest token so far and the new one, both accepted.
        hashes = hashes.empty() ? std::vector<std::string>{hash} : std::vector<std::string>{hashes.back(), hash};
      }
      spec["AuthTokenHashesSealed"] = sealHashes(*config_.secrets, hashes);
    }
    spec["AuthTokenLastModifiedDate"] = toEpochSeconds(catalog_.clock()->now());
    changed = true;
  }
  if (in.contains("UserGroupIdsToAdd") || in.contains("UserGroupIdsToRemove") ||
      in.value("RemoveUserGroups", false)) {
    for (const auto& id : in.value("UserGroupIdsToRemove", Json::array())) {
      auto at = std::find(userGroups.begin(), userGroups.end(), rds::lowerCase(id.get<std::string>()));
      if (at == userGroups.end()) {
        return invalid("The user group " + id.get<std::string>() + " is not associated with " + owner.name + ".");
      }
      userGroups.erase(at);
    }
    if (in.value("RemoveUserGroups", false)) userGroups.clear();
    for (const auto& id : in.value("UserGroupIdsToAdd", Json::array())) {
      if (!tls) return noTransitEncryption();
      if (!hashes.empty()) {
        return combination(owner.name + " has an AUTH token: give AuthTokenUpdateStrategy DELETE with the user "
                           "groups to move to role-based access control.");
      }
      auto found = findUserGroup(c, id.get<std::string>());
      if (!found) return found.error();
      if (std::find(userGroups.begin(), userGroups.end(), found->name) == userGroups.end()) {
        userGroups.push_back(found->name);
      }
    }
    if (userGroups.size() > 1) return invalid("A replication group can use one user group.");
    spec["UserGroupIds"] = userGroups;
    changed = true;
  }
  return changed;
}

std::optional<ApiError> ElastiCacheApi::recordClientUsers(const RequestContext& c, Resource& owner) {
  Json& spec = owner.spec;
  std::vector<std::string> rules;
  std::vector<std::string> userGroups = stringsOf(spec, "UserGroupIds");
  if (!userGroups.empty()) {
    for (const std::string& userGroupId : userGroups) {
      auto userGroup = findUserGroup(c, userGroupId);
      if (!userGroup) return userGroup.error();
      for (const std::string& userId : stringsOf(userGroup->spec, "UserIds")) {
        auto user = findUser(c, userId);
        if (!user) return user.error();
        auto access = engines::redisAccessRules(user->spec.value("AccessString", ""));
        if (!access) return access.error();
        std::vector<std::string> passwords;
        if (user->spec.value("AuthenticationType", "no-password") == "password") {
          passwords = openHashes(*config_.secrets, user->spec.value("PasswordHashesSealed", ""));
          // Never a user without its password, whatever happened to the key.
          if (passwords.empty()) return ApiError::internal("the passwords of user " + userId + " cannot be read");
        }
        rules.push_back(engines::redisClientUserRule(user->spec.value("UserName", ""), passwords, *access));
      }
    }
  } else if (spec.contains("AuthTokenHashesSealed")) {
    std::vector<std::string> hashes = openHashes(*config_.secrets, spec["AuthTokenHashesSealed"]);
    if (hashes.empty()) return ApiError::internal("the AUTH token of " + owner.name + " cannot be read");
    rules.push_back(engines::redisDefaultUserRule(hashes));
  }
  std::string lines;
  for (const std::string& rule : rules) lines += rule + "\n";
  if (lines.empty()) {
    spec.erase(cache::kClientAclSealed);
  } else {
    if (config_.secrets == nullptr) return ApiError::internal("Kura cannot seal secrets");
    spec[cache::kClientAclSealed] = config_.secrets->seal(lines);
  }
  spec[cache::kClientAclVersion] = spec.value(cache::kClientAclVersion, 0) + 1;
  // Its running nodes take them now; a busy resource's, once it is
  // available again (the supervisor).
  if (owner.status == kAvailable) owner.status = kModifying;
  return std::nullopt;
}

std::optional<ApiError> ElastiCacheApi::refreshGroupsUsing(const RequestContext& c,
                                                           const std::vector<std::string>& userGroupIds) {
  for (Resource group : allOfKind(c, kReplicationGroup)) {
    if (group.status == kDeleting) continue;
    std::vector<std::string> used = stringsOf(group.spec, "UserGroupIds");
    bool affected = std::any_of(used.begin(), used.end(), [&](const std::string& id) {
      return std::find(userGroupIds.begin(), userGroupIds.end(), id) != userGroupIds.end();
    });
    if (!affected) continue;
    if (auto error = recordClientUsers(c, group)) return error;
    if (auto stored = catalog_.updateResource(group); !stored) return stored.error();
  }
  return std::nullopt;
}

}  // namespace kura::elasticache
