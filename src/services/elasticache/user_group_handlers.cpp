// ElastiCache user groups: the users (one of them named default) that a
// replication group's clients sign in as. A change of its users is set at
// once on every node of the groups that use it.
#include <algorithm>
#include <functional>
#include <set>

#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/elasticache/elasticache_validation.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_validation.h"

namespace kura::elasticache {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

std::vector<std::string> replicationGroupsUsing(const std::vector<Resource>& groups, const std::string& userGroup) {
  std::vector<std::string> using_;
  for (const Resource& group : groups) {
    std::vector<std::string> ids = group.spec.value("UserGroupIds", std::vector<std::string>());
    if (std::find(ids.begin(), ids.end(), userGroup) != ids.end()) using_.push_back(group.name);
  }
  return using_;
}

}  // namespace

Result<Resource> ElastiCacheApi::findUserGroup(const RequestContext& c, const std::string& id) {
  auto found = catalog_.getResource(c.accountId, c.region, kUserGroup, rds::lowerCase(id));
  if (!found || found->status == kDeleted) {
    return ApiError::sender("UserGroupNotFound", "User group " + id + " not found.", 404);
  }
  return found;
}

// The users of a user group, checked: every one exists, no two share a
// name, one is named default.
static Result<std::vector<std::string>> checkedMembers(
    const std::vector<std::string>& ids, const std::function<Result<Resource>(const std::string&)>& find) {
  std::vector<std::string> members;
  std::set<std::string> names;
  bool hasDefault = false;
  for (const std::string& id : ids) {
    auto user = find(id);
    if (!user) return user.error();
    if (std::find(members.begin(), members.end(), user->name) != members.end()) continue;
    std::string name = user->spec.value("UserName", "");
    if (!names.insert(name).second) {
      return ApiError::sender("DuplicateUserName", "Two users of the user group are named " + name + ".");
    }
    hasDefault = hasDefault || name == "default";
    members.push_back(user->name);
  }
  if (!hasDefault) {
    return ApiError::sender("DefaultUserRequired", "A user group must contain a user named default.");
  }
  return members;
}

Result<Json> ElastiCacheApi::createUserGroup(const RequestContext& c, const Json& in) {
  std::string id = rds::lowerCase(in["UserGroupId"].get<std::string>());
  if (auto error = checkCacheIdentifier(id, "UserGroupId", 40)) return *error;
  if (rds::lowerCase(in["Engine"].get<std::string>()) != "redis") {
    return invalid("The engine of a user group must be redis.");
  }
  auto members = checkedMembers(in.value("UserIds", std::vector<std::string>()),
                                [&](const std::string& userId) { return findUser(c, userId); });
  if (!members) return members.error();
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = c.region;
  draft.service = kService;
  draft.kind = kUserGroup;
  draft.name = id;
  draft.arn = makeArn("elasticache", c.region, c.accountId, "usergroup:" + id);
  draft.status = kActive;
  draft.goal = kActive;
  draft.spec = {{"UserGroupId", id}, {"UserIds", *members}};
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, kUserGroup, id).ok()) {
      return ApiError::sender("UserGroupAlreadyExists", "User group " + id + " already exists.");
    }
    auto made = catalog_.createResource(draft);
    if (!made) return made.error();
    if (auto tags = rds::tagsFromInput(in); !tags.empty()) catalog_.addTags(made->arn, tags);
    return made;
  });
  if (!created) return created.error();
  return userGroupView(*created, {});
}

Result<Json> ElastiCacheApi::describeUserGroups(const RequestContext& c, const Json& in) {
  auto limit = pageSize(in, 100);
  if (!limit) return limit.error();
  std::vector<Resource> groups = allOfKind(c, kReplicationGroup);
  Json out = {{"UserGroups", Json::array()}};
  if (in.contains("UserGroupId")) {
    auto found = findUserGroup(c, in["UserGroupId"]);
    if (!found) return found.error();
    out["UserGroups"].push_back(userGroupView(*found, replicationGroupsUsing(groups, found->name)));
    return out;
  }
  std::string after;
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    after = *decoded;
  }
  ResourcePage page = catalog_.listResources(c.accountId, c.region, kUserGroup, after, *limit);
  for (const Resource& userGroup : page.items) {
    out["UserGroups"].push_back(userGroupView(userGroup, replicationGroupsUsing(groups, userGroup.name)));
  }
  if (page.truncated && !page.items.empty()) out["Marker"] = encodeAfterName(page.items.back().name);
  return out;
}

Result<Json> ElastiCacheApi::modifyUserGroup(const RequestContext& c, const Json& in) {
  auto userGroup = findUserGroup(c, in["UserGroupId"]);
  if (!userGroup) return userGroup.error();
  std::vector<std::string> ids = userGroup->spec.value("UserIds", std::vector<std::string>());
  for (const auto& id : in.value("UserIdsToRemove", std::vector<std::string>())) {
    auto at = std::find(ids.begin(), ids.end(), rds::lowerCase(id));
    if (at == ids.end()) return invalid("User " + id + " is not in user group " + userGroup->name + ".");
    ids.erase(at);
  }
  for (const auto& id : in.value("UserIdsToAdd", std::vector<std::string>())) ids.push_back(id);
  auto members = checkedMembers(ids, [&](const std::string& userId) { return findUser(c, userId); });
  if (!members) return members.error();
  userGroup->spec["UserIds"] = *members;
  // The user group and the groups using it, together.
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto updated = catalog_.updateResource(*userGroup);
    if (!updated) return updated.error();
    if (auto error = refreshGroupsUsing(c, {userGroup->name})) return *error;
    return updated;
  });
  if (!stored) return stored.error();
  reconciler_.wake();  // the groups now modifying
  return userGroupView(*stored, replicationGroupsUsing(allOfKind(c, kReplicationGroup), stored->name));
}

Result<Json> ElastiCacheApi::deleteUserGroup(const RequestContext& c, const Json& in) {
  auto userGroup = findUserGroup(c, in["UserGroupId"]);
  if (!userGroup) return userGroup.error();
  auto deleted = catalog_.transact([&]() -> Result<Resource> {
    std::vector<std::string> using_ = replicationGroupsUsing(allOfKind(c, kReplicationGroup), userGroup->name);
    if (!using_.empty()) {
      return ApiError::sender("InvalidUserGroupState",
                              "User group " + userGroup->name + " is in use by replication group " + using_[0] + ".");
    }
    if (auto removed = catalog_.removeResource(userGroup->id); !removed) return removed.error();
    return *userGroup;
  });
  if (!deleted) return deleted.error();
  deleted->status = kDeleting;
  return userGroupView(*deleted, {});
}

}  // namespace kura::elasticache
