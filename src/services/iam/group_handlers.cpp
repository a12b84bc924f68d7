// IAM groups: a name (unique without regard to case), a path, an id
// (AGPA...) and the users in it, whose calls are evaluated under the
// group's policies beside their own. Membership is kept on both records
// (the group's Users, the user's Groups), written in one transaction. A
// group is deleted only once it has no users and no policies, as IAM
// refuses otherwise.
#include <algorithm>

#include "catalog/pagination.h"
#include "common/time_format.h"
#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {
namespace {

// IAM's quota: a user is in ten groups at most.
constexpr size_t kGroupsPerUser = 10;

Json groupView(const Resource& group) {
  return Json{{"Path", group.spec.value("Path", "/")},
              {"GroupName", group.spec.value("GroupName", "")},
              {"GroupId", group.spec.value("GroupId", "")},
              {"Arn", group.arn},
              {"CreateDate", toEpochSeconds(group.createdAt)}};
}

ApiError noSuchGroup(const std::string& name) {
  return noSuchEntity("The group with name " + name + " cannot be found.");
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<Json> IamApi::createGroup(const RequestContext& c, const Json& in) {
  std::string name = in["GroupName"];
  if (auto error = checkName(name, "groupName")) return *error;
  std::string path = in.value("Path", "/");
  if (auto error = checkPath(path)) return *error;
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = kRegion;
  draft.service = kService;
  draft.kind = kGroup;
  draft.name = recordName(name);
  draft.arn = groupArn(c.accountId, path, name);
  draft.status = "active";
  draft.goal = "active";
  draft.spec = {{"GroupName", name},
                {"GroupId", newIamId("AGPA", 17)},
                {"Path", path},
                {"Users", Json::array()},
                {"AttachedPolicies", Json::array()},
                {"InlinePolicies", Json::object()}};
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (findGroup(catalog_, c.accountId, name)) return entityAlreadyExists("Group with name " + name + " already exists.");
    return catalog_.createResource(draft);
  });
  if (!created) return created.error();
  return Json{{"Group", groupView(*created)}};
}

Result<Json> IamApi::getGroup(const RequestContext& c, const Json& in) {
  std::string name = in["GroupName"];
  auto group = findGroup(catalog_, c.accountId, name);
  if (!group) return noSuchGroup(name);
  auto page = pageOf(in);
  if (!page) return page.error();
  Json out = {{"Group", groupView(*group)}, {"Users", Json::array()}, {"IsTruncated", false}};
  // Members in name order, paged by the user's record name.
  auto members = group->spec.value("Users", std::vector<std::string>());
  std::sort(members.begin(), members.end());
  std::string last;
  for (const auto& member : members) {
    if (member <= page->afterName) continue;
    if (out["Users"].size() >= page->limit) {
      out["IsTruncated"] = true;
      out["Marker"] = encodeAfterName(last);
      break;
    }
    if (auto user = catalog_.getResource(c.accountId, kRegion, kUser, member)) out["Users"].push_back(userView(*user));
    last = member;
  }
  return out;
}

Result<Json> IamApi::listGroups(const RequestContext& c, const Json& in) {
  return listByPath(catalog_, c.accountId, in, kGroup, "Groups", groupView);
}

Result<Json> IamApi::deleteGroup(const RequestContext& c, const Json& in) {
  std::string name = in["GroupName"];
  auto deleted = catalog_.transact([&]() -> Result<bool> {
    auto group = findGroup(catalog_, c.accountId, name);
    if (!group) return noSuchGroup(name);
    if (!group->spec.value("Users", Json::array()).empty()) {
      return deleteConflict("Cannot delete entity, must remove users from group first.");
    }
    if (!group->spec.value("InlinePolicies", Json::object()).empty()) {
      return deleteConflict("Cannot delete entity, must delete policies first.");
    }
    if (!group->spec.value("AttachedPolicies", Json::array()).empty()) {
      return deleteConflict("Cannot delete entity, must detach all policies first.");
    }
    return catalog_.removeResource(group->id);
  });
  if (!deleted) return deleted.error();
  return Json::object();
}

Result<Json> IamApi::addUserToGroup(const RequestContext& c, const Json& in) {
  std::string groupName = in["GroupName"];
  std::string userName = in["UserName"];
  auto added = catalog_.transact([&]() -> Result<bool> {
    auto group = findGroup(catalog_, c.accountId, groupName);
    if (!group) return noSuchGroup(groupName);
    auto user = findUser(catalog_, c.accountId, userName);
    if (!user) return noSuchEntity("The user with name " + userName + " cannot be found.");
    auto users = group->spec.value("Users", std::vector<std::string>());
    auto groups = user->spec.value("Groups", std::vector<std::string>());
    if (contains(users, user->name)) return true;  // IAM: no error, no change
    if (groups.size() >= kGroupsPerUser) {
      return limitExceeded("Cannot exceed quota for GroupsPerUser: " + std::to_string(kGroupsPerUser));
    }
    users.push_back(user->name);
    groups.push_back(group->name);
    group->spec["Users"] = users;
    user->spec["Groups"] = groups;
    if (auto stored = catalog_.updateResource(*group); !stored) return stored.error();
    if (auto stored = catalog_.updateResource(*user); !stored) return stored.error();
    return true;
  });
  if (!added) return added.error();
  return Json::object();
}

Result<Json> IamApi::removeUserFromGroup(const RequestContext& c, const Json& in) {
  std::string groupName = in["GroupName"];
  std::string userName = in["UserName"];
  auto removed = catalog_.transact([&]() -> Result<bool> {
    auto group = findGroup(catalog_, c.accountId, groupName);
    if (!group) return noSuchGroup(groupName);
    auto user = findUser(catalog_, c.accountId, userName);
    auto users = group->spec.value("Users", std::vector<std::string>());
    if (!user || !contains(users, user->name)) {
      return noSuchEntity("The user with name " + userName + " cannot be found.");
    }
    auto groups = user->spec.value("Groups", std::vector<std::string>());
    users.erase(std::remove(users.begin(), users.end(), user->name), users.end());
    groups.erase(std::remove(groups.begin(), groups.end(), group->name), groups.end());
    group->spec["Users"] = users;
    user->spec["Groups"] = groups;
    if (auto stored = catalog_.updateResource(*group); !stored) return stored.error();
    if (auto stored = catalog_.updateResource(*user); !stored) return stored.error();
    return true;
  });
  if (!removed) return removed.error();
  return Json::object();
}

Result<Json> IamApi::listGroupsForUser(const RequestContext& c, const Json& in) {
  std::string userName = in["UserName"];
  auto user = findUser(catalog_, c.accountId, userName);
  if (!user) return noSuchEntity("The user with name " + userName + " cannot be found.");
  Json out = {{"Groups", Json::array()}, {"IsTruncated", false}};
  for (const auto& name : user->spec.value("Groups", std::vector<std::string>())) {
    if (auto group = catalog_.getResource(c.accountId, kRegion, kGroup, name)) out["Groups"].push_back(groupView(*group));
  }
  return out;
}

}  // namespace kura::iam
