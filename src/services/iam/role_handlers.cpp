// IAM roles: a name (unique without regard to case), a path, an id
// (AROA...), a trust policy (who may assume it: auth/trust_policy.h), a
// longest session (MaxSessionDuration, 3600 to 43200 seconds) and the
// identity policies its sessions act under. A role is deleted only once it
// has no policies, as IAM refuses otherwise; its sessions end with it.
#include <algorithm>

#include "auth/sigv4_verifier.h"
#include "auth/trust_policy.h"
#include "common/time_format.h"
#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {
namespace {

// IAM's quota on a trust policy (AssumeRolePolicySizePerRole).
constexpr size_t kMaxTrustPolicySize = 2048;
constexpr int kDefaultMaxSession = 3600;

Json roleView(const Resource& role, bool full) {
  Json view = {{"Path", role.spec.value("Path", "/")},
               {"RoleName", role.spec.value("RoleName", "")},
               {"RoleId", role.spec.value("RoleId", "")},
               {"Arn", role.arn},
               {"CreateDate", toEpochSeconds(role.createdAt)},
               {"AssumeRolePolicyDocument", auth::uriEncode(role.spec.value("AssumeRolePolicyDocument", ""), false)},
               {"MaxSessionDuration", role.spec.value("MaxSessionDuration", kDefaultMaxSession)}};
  if (role.spec.contains("Description")) view["Description"] = role.spec["Description"];
  if (full) {
    if (Json boundary = boundaryView(role); !boundary.is_null()) view["PermissionsBoundary"] = boundary;
    auto tags = role.spec.value("Tags", Json::array());
    if (!tags.empty()) view["Tags"] = tags;
    view["RoleLastUsed"] = Json::object();
  }
  return view;
}

ApiError noSuchRole(const std::string& name) { return noSuchEntity("The role with name " + name + " cannot be found."); }

}  // namespace

// A trust policy as IAM takes one: within its quota, well formed, and
// naming only principals that exist (a user or role of this account by ARN).
std::optional<ApiError> IamApi::checkTrustPolicy(const RequestContext& c, const std::string& document) {
  size_t size = static_cast<size_t>(
      std::count_if(document.begin(), document.end(), [](unsigned char ch) { return !std::isspace(ch); }));
  if (size > kMaxTrustPolicySize) {
    return limitExceeded("Cannot exceed quota for ACLSizePerRole: " + std::to_string(kMaxTrustPolicySize));
  }
  auto policy = auth::parseTrustPolicy(document);
  if (!policy) return policy.error();
  std::string local = "arn:aws:iam::" + c.accountId + ":";
  for (const auto& statement : policy->statements) {
    for (const auto& principal : statement.aws) {
      if (principal.rfind(local, 0) != 0) continue;
      std::string rest = principal.substr(local.size());
      bool user = rest.rfind("user/", 0) == 0;
      if (!user && rest.rfind("role/", 0) != 0) continue;
      std::string name = rest.substr(rest.rfind('/') + 1);
      auto found = user ? findUser(catalog_, c.accountId, name) : findRole(catalog_, c.accountId, name);
      if (!found || found->arn != principal) {
        return ApiError::sender("MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"" + principal + "\"");
      }
    }
  }
  return std::nullopt;
}

Result<Json> IamApi::createRole(const RequestContext& c, const Json& in) {
  std::string name = in["RoleName"];
  if (auto error = checkName(name, "roleName")) return *error;
  std::string path = in.value("Path", "/");
  if (auto error = checkPath(path)) return *error;
  std::string trust = in["AssumeRolePolicyDocument"];
  if (auto error = checkTrustPolicy(c, trust)) return *error;
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = kRegion;
  draft.service = kService;
  draft.kind = kRole;
  draft.name = recordName(name);
  draft.arn = roleArn(c.accountId, path, name);
  draft.status = "active";
  draft.goal = "active";
  draft.spec = {{"RoleName", name},
                {"RoleId", newIamId("AROA", 17)},
                {"Path", path},
                {"AssumeRolePolicyDocument", trust},
                {"MaxSessionDuration", in.value("MaxSessionDuration", kDefaultMaxSession)},
                {"Tags", in.value("Tags", Json::array())},
                {"AttachedPolicies", Json::array()},
                {"InlinePolicies", Json::object()}};
  if (in.contains("Description")) draft.spec["Description"] = in["Description"];
  if (in.contains("PermissionsBoundary")) draft.spec["PermissionsBoundary"] = in["PermissionsBoundary"];
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (findRole(catalog_, c.accountId, name)) return entityAlreadyExists("Role with name " + name + " already exists.");
    if (in.contains("PermissionsBoundary")) {
      if (auto error = checkBoundary(c, in["PermissionsBoundary"])) return *error;
    }
    return catalog_.createResource(draft);
  });
  if (!created) return created.error();
  return Json{{"Role", roleView(*created, false)}};
}

Result<Json> IamApi::getRole(const RequestContext& c, const Json& in) {
  std::string name = in["RoleName"];
  auto role = findRole(catalog_, c.accountId, name);
  if (!role) return noSuchRole(name);
  return Json{{"Role", roleView(*role, true)}};
}

Result<Json> IamApi::listRoles(const RequestContext& c, const Json& in) {
  auto view = [](const Resource& role) { return roleView(role, false); };
  return listByPath(catalog_, c.accountId, in, kRole, "Roles", view);
}

Result<Json> IamApi::deleteRole(const RequestContext& c, const Json& in) {
  std::string name = in["RoleName"];
  auto deleted = catalog_.transact([&]() -> Result<bool> {
    auto role = findRole(catalog_, c.accountId, name);
    if (!role) return noSuchRole(name);
    if (!role->spec.value("InlinePolicies", Json::object()).empty()) {
      return deleteConflict("Cannot delete entity, must delete policies first.");
    }
    if (!role->spec.value("AttachedPolicies", Json::array()).empty()) {
      return deleteConflict("Cannot delete entity, must detach all policies first.");
    }
    return catalog_.removeResource(role->id);
  });
  if (!deleted) return deleted.error();
  return Json::object();
}

Result<Json> IamApi::updateAssumeRolePolicy(const RequestContext& c, const Json& in) {
  std::string name = in["RoleName"];
  std::string trust = in["PolicyDocument"];
  if (auto error = checkTrustPolicy(c, trust)) return *error;
  auto updated = catalog_.transact([&]() -> Result<Resource> {
    auto role = findRole(catalog_, c.accountId, name);
    if (!role) return noSuchRole(name);
    role->spec["AssumeRolePolicyDocument"] = trust;
    return catalog_.updateResource(*role);
  });
  if (!updated) return updated.error();
  return Json::object();
}

Result<Json> IamApi::updateRole(const RequestContext& c, const Json& in) {
  std::string name = in["RoleName"];
  auto updated = catalog_.transact([&]() -> Result<Resource> {
    auto role = findRole(catalog_, c.accountId, name);
    if (!role) return noSuchRole(name);
    if (in.contains("Description")) role->spec["Description"] = in["Description"];
    if (in.contains("MaxSessionDuration")) role->spec["MaxSessionDuration"] = in["MaxSessionDuration"];
    return catalog_.updateResource(*role);
  });
  if (!updated) return updated.error();
  return Json::object();
}

}  // namespace kura::iam
