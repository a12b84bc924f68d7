// Permissions boundaries: a managed policy set on a user or a role that
// limits what its identity policies allow (iam/request_authorizer.cpp
// evaluates it on every call, the simulator too). Put/Delete
// {User,Role}PermissionsBoundary, and PermissionsBoundary on CreateUser and
// CreateRole; GetUser and GetRole show it.
#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {

std::optional<ApiError> IamApi::checkBoundary(const RequestContext& c, const std::string& arn) {
  // Kura has no AWS managed policies: only the account's own may bound.
  auto policy = catalog_.getResourceByArn(arn);
  if (!policy || policy->kind != kPolicy || policy->accountId != c.accountId) {
    return noSuchEntity("Scope ARN: " + arn + " does not exist or is not attachable.");
  }
  return std::nullopt;
}

Json boundaryView(const Resource& principal) {
  std::string arn = permissionsBoundaryOf(principal);
  if (arn.empty()) return nullptr;
  return Json{{"PermissionsBoundaryType", "Policy"}, {"PermissionsBoundaryArn", arn}};
}

Result<Json> IamApi::putPermissionsBoundary(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  std::string arn = in["PermissionsBoundary"];
  auto written = catalog_.transact([&]() -> Result<Resource> {
    if (auto error = checkBoundary(c, arn)) return *error;
    auto principal = targetPrincipal(kind, c, in);
    if (!principal) return principal.error();
    principal->spec["PermissionsBoundary"] = arn;
    return catalog_.updateResource(*principal);
  });
  if (!written) return written.error();
  return Json::object();
}

Result<Json> IamApi::deletePermissionsBoundary(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  auto written = catalog_.transact([&]() -> Result<Resource> {
    auto principal = targetPrincipal(kind, c, in);
    if (!principal) return principal.error();
    if (!principal->spec.contains("PermissionsBoundary")) return principal;
    principal->spec.erase("PermissionsBoundary");
    return catalog_.updateResource(*principal);
  });
  if (!written) return written.error();
  return Json::object();
}

}  // namespace kura::iam
