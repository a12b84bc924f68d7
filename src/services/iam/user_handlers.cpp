// IAM users: a name (unique without regard to case), a path, an id
// (AIDA...) and an ARN. A user is deleted only once nothing hangs on it
// (access keys, attached and inline policies), as IAM refuses otherwise.
// A permissions boundary may be set at creation (boundary_handlers.cpp).
#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {
Result<Resource> IamApi::targetUser(const RequestContext& c, const Json& in) {
  std::string name = in.contains("UserName") ? in["UserName"].get<std::string>() : c.userName;
  if (!in.contains("UserName") && c.principalType != "IAMUser") {
    return validationError("Must specify userName when calling with non-User credentials");
  }
  auto user = findUser(catalog_, c.accountId, name);
  if (!user) return noSuchEntity("The user with name " + name + " cannot be found.");
  return user;
}

Result<Json> IamApi::createUser(const RequestContext& c, const Json& in) {
  std::string name = in["UserName"];
  if (auto error = checkName(name, "userName")) return *error;
  std::string path = in.value("Path", "/");
  if (auto error = checkPath(path)) return *error;
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = kRegion;
  draft.service = kService;
  draft.kind = kUser;
  draft.name = recordName(name);
  draft.arn = userArn(c.accountId, path, name);
  draft.status = "active";
  draft.goal = "active";
  draft.spec = {{"UserName", name},
                {"UserId", newIamId("AIDA", 17)},
                {"Path", path},
                {"AccessKeys", Json::array()},
                {"AttachedPolicies", Json::array()},
                {"InlinePolicies", Json::object()},
                {"Tags", in.value("Tags", Json::array())}};
  if (in.contains("PermissionsBoundary")) draft.spec["PermissionsBoundary"] = in["PermissionsBoundary"];
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (findUser(catalog_, c.accountId, name)) return entityAlreadyExists("User with name " + name + " already exists.");
    if (in.contains("PermissionsBoundary")) {
      if (auto error = checkBoundary(c, in["PermissionsBoundary"])) return *error;
    }
    auto made = catalog_.createResource(draft);
    if (!made) return entityAlreadyExists("User with name " + name + " already exists.");
    return made;
  });
  if (!created) return created.error();
  return Json{{"User", userView(*created)}};
}

Result<Json> IamApi::getUser(const RequestContext& c, const Json& in) {
  if (!in.contains("UserName") && c.principalType == "Root") {
    // The account root asking about itself: IAM answers with the root's ARN
    // and the account id, and no user name.
    return Json{{"User", {{"Path", "/"}, {"UserId", c.accountId}, {"Arn", "arn:aws:iam::" + c.accountId + ":root"},
                          {"CreateDate", 0}}}};
  }
  auto user = targetUser(c, in);
  if (!user) return user.error();
  Json view = userView(*user);
  if (Json boundary = boundaryView(*user); !boundary.is_null()) view["PermissionsBoundary"] = boundary;
  auto tags = user->spec.value("Tags", Json::array());
  if (!tags.empty()) view["Tags"] = tags;
  return Json{{"User", view}};
}

Result<Json> IamApi::listUsers(const RequestContext& c, const Json& in) {
  return listByPath(catalog_, c.accountId, in, kUser, "Users", userView);
}

Result<Json> IamApi::deleteUser(const RequestContext& c, const Json& in) {
  std::string name = in["UserName"];
  auto deleted = catalog_.transact([&]() -> Result<bool> {
    auto user = findUser(catalog_, c.accountId, name);
    if (!user) return noSuchEntity("The user with name " + name + " cannot be found.");
    if (!user->spec.value("AccessKeys", Json::array()).empty()) {
      return deleteConflict("Cannot delete entity, must delete access keys first.");
    }
    if (!user->spec.value("InlinePolicies", Json::object()).empty()) {
      return deleteConflict("Cannot delete entity, must delete policies first.");
    }
    if (!user->spec.value("AttachedPolicies", Json::array()).empty()) {
      return deleteConflict("Cannot delete entity, must detach all policies first.");
    }
    if (!user->spec.value("Groups", Json::array()).empty()) {
      return deleteConflict("Cannot delete entity, must remove user from all groups first.");
    }
    return catalog_.removeResource(user->id);
  });
  if (!deleted) return deleted.error();
  return Json::object();
}

}  // namespace kura::iam
