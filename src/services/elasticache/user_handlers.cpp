// ElastiCache users (role-based access control): a Redis ACL user each, with
// an access string and up to two passwords, kept as sealed hashes. A user
// reaches a server through a user group that a replication group uses; a
// change of a user is set at once on every node of those groups.
#include <algorithm>

#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "engines/redis_access_string.h"
#include "services/elasticache/auth_token.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/elasticache/elasticache_validation.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_validation.h"

namespace kura::elasticache {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError combination(std::string message) {
  return ApiError::sender("InvalidParameterCombination", std::move(message));
}

// How a user signs in, from CreateUser's or ModifyUser's input; empty when
// the input says nothing of it.
struct Authentication {
  std::string type;  // "password" or "no-password", as the User shows it
  std::vector<std::string> hashes;
};

Result<std::optional<Authentication>> authenticationOf(const Json& in, const SecretBox& secrets, Json& spec) {
  bool mode = in.contains("AuthenticationMode");
  bool passwords = in.contains("Passwords");
  bool noPassword = in.value("NoPasswordRequired", false);
  if (mode && (passwords || in.contains("NoPasswordRequired"))) {
    return combination("Give AuthenticationMode or Passwords and NoPasswordRequired, not both.");
  }
  Json given = in.value("Passwords", Json::array());
  std::string type = noPassword ? "no-password-required" : "password";
  if (mode) {
    type = in["AuthenticationMode"].value("Type", "");
    given = in["AuthenticationMode"].value("Passwords", Json::array());
    if (type == "iam") return invalid("IAM authentication is not supported by Kura: use passwords.");
    if (type == "no-password-required" && !given.empty()) {
      return combination("No passwords can be given with authentication type no-password-required.");
    }
    if (type == "password" && given.empty()) return combination("Authentication type password needs Passwords.");
    if (type.empty()) return invalid("AuthenticationMode needs a Type.");
  } else if (passwords && noPassword) {
    return combination("Give Passwords or NoPasswordRequired, not both.");
  } else if (!passwords && !noPassword) {
    return std::optional<Authentication>();
  }
  if (given.size() > 2) return invalid("A user can have up to two passwords.");
  Authentication authentication{type == "password" ? "password" : "no-password", {}};
  for (const auto& password : given) {
    if (auto error = checkUserPassword(password.get<std::string>())) return *error;
    authentication.hashes.push_back(passwordHash(password.get<std::string>()));
  }
  spec["AuthenticationType"] = authentication.type;
  spec["PasswordCount"] = authentication.hashes.size();
  if (authentication.hashes.empty()) {
    spec.erase("PasswordHashesSealed");
  } else {
    spec["PasswordHashesSealed"] = sealHashes(secrets, authentication.hashes);
  }
  return std::optional<Authentication>(authentication);
}

// A Redis user name: printable, no spaces or quotes (redis.conf reads it),
// and never one of Kura's own users.
std::optional<ApiError> checkUserName(const std::string& name) {
  bool plain = !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](char ch) {
    return ch > ' ' && ch < 127 && ch != '"' && ch != '\'' && ch != '\\';
  });
  if (!plain) return invalid("UserName must be 1 to 128 printable characters without spaces or quotes.");
  if (rds::lowerCase(name).rfind("kura-", 0) == 0) return invalid("User names beginning with kura- are reserved.");
  return std::nullopt;
}

Resource defaultUser(const RequestContext& c) {
  Resource user;
  user.accountId = c.accountId;
  user.region = c.region;
  user.service = kService;
  user.kind = kUser;
  user.name = kDefaultUserId;
  user.arn = makeArn("elasticache", c.region, c.accountId, std::string("user:") + kDefaultUserId);
  user.status = kActive;
  user.goal = kActive;
  user.spec = {{"UserId", kDefaultUserId},
               {"UserName", "default"},
               {"AccessString", "on ~* +@all"},
               {"AuthenticationType", "no-password"}};
  return user;
}

std::vector<std::string> userIdsOf(const Resource& userGroup) {
  return userGroup.spec.value("UserIds", std::vector<std::string>());
}

}  // namespace

Result<Resource> ElastiCacheApi::findUser(const RequestContext& c, const std::string& id) {
  std::string name = rds::lowerCase(id);
  if (name == kDefaultUserId) return defaultUser(c);
  auto found = catalog_.getResource(c.accountId, c.region, kUser, name);
  if (!found || found->status == kDeleted) return ApiError::sender("UserNotFound", "User " + id + " not found.", 404);
  return found;
}

Result<Json> ElastiCacheApi::createUser(const RequestContext& c, const Json& in) {
  std::string id = rds::lowerCase(in["UserId"].get<std::string>());
  if (auto error = checkCacheIdentifier(id, "UserId", 40)) return *error;
  if (rds::lowerCase(in["Engine"].get<std::string>()) != "redis") return invalid("The engine of a user must be redis.");
  std::string name = in["UserName"];
  if (auto error = checkUserName(name)) return *error;
  std::string accessString = in["AccessString"];
  if (auto rules = engines::redisAccessRules(accessString); !rules) return rules.error();
  if (config_.secrets == nullptr) return ApiError::internal("Kura cannot seal secrets");
  Json spec = {{"UserId", id}, {"UserName", name}, {"AccessString", accessString}};
  auto authentication = authenticationOf(in, *config_.secrets, spec);
  if (!authentication) return authentication.error();
  if (!*authentication) return combination("No password was provided: give Passwords or NoPasswordRequired.");
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kUser;
  draft.name = id;
  draft.arn = makeArn("elasticache", c.region, c.accountId, "user:" + id);
  draft.status = kActive;
  draft.goal = kActive;
  draft.spec = spec;
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (id == kDefaultUserId || catalog_.getResource(c.accountId, c.region, kUser, id).ok()) {
      return ApiError::sender("UserAlreadyExists", "User " + id + " already exists.");
    }
    auto made = catalog_.createResource(draft);
    if (!made) return made.error();
    if (auto tags = rds::tagsFromInput(in); !tags.empty()) catalog_.addTags(made->arn, tags);
    return made;
  });
  if (!created) return created.error();
  return userView(*created, {});
}

Result<Json> ElastiCacheApi::describeUsers(const RequestContext& c, const Json& in) {
  auto limit = pageSize(in, 100);
  if (!limit) return limit.error();
  if (in.contains("Engine") && rds::lowerCase(in["Engine"].get<std::string>()) != "redis") {
    return Json{{"Users", Json::array()}};
  }
  std::vector<std::string> wanted;
  if (in.contains("UserId")) wanted.push_back(rds::lowerCase(in["UserId"].get<std::string>()));
  for (const auto& filter : in.value("Filters", Json::array())) {
    if (filter["Name"] != "user-id") return invalid("Unknown filter " + filter["Name"].get<std::string>() + ".");
    for (const auto& value : filter["Values"]) wanted.push_back(rds::lowerCase(value.get<std::string>()));
  }
  if (in.contains("UserId")) {
    auto found = findUser(c, in["UserId"]);
    if (!found) return found.error();
  }
  std::vector<Resource> users = allOfKind(c, kUser);
  users.push_back(defaultUser(c));
  std::sort(users.begin(), users.end(), [](const Resource& a, const Resource& b) { return a.name < b.name; });
  std::vector<Resource> userGroups = allOfKind(c, kUserGroup);
  std::string after;
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    after = *decoded;
  }
  Json out = {{"Users", Json::array()}};
  for (const Resource& user : users) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), user.name) == wanted.end()) continue;
    if (user.name <= after) continue;
    if (out["Users"].size() == *limit) {
      out["Marker"] = encodeAfterName(out["Users"].back()["UserId"].get<std::string>());
      break;
    }
    std::vector<std::string> memberOf;
    for (const Resource& userGroup : userGroups) {
      std::vector<std::string> ids = userIdsOf(userGroup);
      if (std::find(ids.begin(), ids.end(), user.name) != ids.end()) memberOf.push_back(userGroup.name);
    }
    out["Users"].push_back(userView(user, memberOf));
  }
  return out;
}

Result<Json> ElastiCacheApi::modifyUser(const RequestContext& c, const Json& in) {
  auto user = findUser(c, in["UserId"]);
  if (!user) return user.error();
  if (user->name == kDefaultUserId) {
    return invalid("The default user cannot be modified: put a user named default of your own in a user group.");
  }
  if (in.contains("AccessString") && in.contains("AppendAccessString")) {
    return combination("Give AccessString or AppendAccessString, not both.");
  }
  Json& spec = user->spec;
  if (in.contains("AccessString")) spec["AccessString"] = in["AccessString"];
  if (in.contains("AppendAccessString")) {
    spec["AccessString"] = spec.value("AccessString", "") + " " + in["AppendAccessString"].get<std::string>();
  }
  if (auto rules = engines::redisAccessRules(spec.value("AccessString", "")); !rules) return rules.error();
  if (in.contains("NoPasswordRequired") && !in["NoPasswordRequired"].get<bool>() && !in.contains("Passwords")) {
    return combination("NoPasswordRequired false needs Passwords.");
  }
  if (config_.secrets == nullptr) return ApiError::internal("Kura cannot seal secrets");
  auto authentication = authenticationOf(in, *config_.secrets, spec);
  if (!authentication) return authentication.error();
  // The user and every group that reaches it through a user group, together.
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto updated = catalog_.updateResource(*user);
    if (!updated) return updated.error();
    std::vector<std::string> memberOf;
    for (const Resource& userGroup : allOfKind(c, kUserGroup)) {
      std::vector<std::string> ids = userIdsOf(userGroup);
      if (std::find(ids.begin(), ids.end(), user->name) != ids.end()) memberOf.push_back(userGroup.name);
    }
    if (auto error = refreshGroupsUsing(c, memberOf)) return *error;
    return updated;
  });
  if (!stored) return stored.error();
  reconciler_.wake();  // the groups now modifying
  std::vector<std::string> memberOf;
  for (const Resource& userGroup : allOfKind(c, kUserGroup)) {
    std::vector<std::string> ids = userIdsOf(userGroup);
    if (std::find(ids.begin(), ids.end(), stored->name) != ids.end()) memberOf.push_back(userGroup.name);
  }
  return userView(*stored, memberOf);
}

Result<Json> ElastiCacheApi::deleteUser(const RequestContext& c, const Json& in) {
  auto user = findUser(c, in["UserId"]);
  if (!user) return user.error();
  if (user->name == kDefaultUserId) return invalid("The default user cannot be deleted.");
  // Out of every user group, then gone: the groups using those lose it at once.
  auto deleted = catalog_.transact([&]() -> Result<Resource> {
    std::vector<std::string> touched;
    for (Resource userGroup : allOfKind(c, kUserGroup)) {
      std::vector<std::string> ids = userIdsOf(userGroup);
      auto at = std::find(ids.begin(), ids.end(), user->name);
      if (at == ids.end()) continue;
      if (user->spec.value("UserName", "") == "default") {
        return ApiError::sender("DefaultUserAssociatedToUserGroup",
                                "User " + user->name + " is the default user of user group " + userGroup.name + ".");
      }
      ids.erase(at);
      userGroup.spec["UserIds"] = ids;
      if (auto stored = catalog_.updateResource(userGroup); !stored) return stored.error();
      touched.push_back(userGroup.name);
    }
    if (auto error = refreshGroupsUsing(c, touched)) return *error;
    if (auto removed = catalog_.removeResource(user->id); !removed) return removed.error();
    return *user;
  });
  if (!deleted) return deleted.error();
  reconciler_.wake();
  deleted->status = kDeleting;
  return userView(*deleted, {});
}

}  // namespace kura::elasticache
