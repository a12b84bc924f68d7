#pragma once
// The IAM API (query protocol): users and their access keys, groups, roles
// with their trust policies, managed policies with versions, the
// principals' attached and inline policies, and the policy simulator.
// Records live in the catalog (iam/iam_records.h), one transaction per
// call; nothing is reconciled. The request path reads the same records to
// accept a user's key and to evaluate its policies (iam/iam_principals.h).
// Every other IAM operation answers InvalidAction.
//
// A user's or role's permissions boundary as GetUser and GetRole show it
// ({PermissionsBoundaryType, PermissionsBoundaryArn}), null for none.
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "common/secret_box.h"
#include "services/core/handler_table.h"

namespace kura::iam {

// Users, groups and roles hold identity policies the same way; what
// differs is named here.
Json boundaryView(const Resource& principal);

struct PrincipalKind {
  const char* kind;    // the record's kind (iam_records.h)
  const char* member;  // the input member naming it: "UserName"
  const char* noun;    // "user"
  const char* Noun;    // "User" (quota names: PoliciesPerUser)
  size_t inlineQuota;  // characters of its inline policies together
  static const PrincipalKind& user();
  static const PrincipalKind& group();
  static const PrincipalKind& role();
};

class IamApi {
 public:
  IamApi(Catalog& catalog, const SecretBox& secrets) : catalog_(catalog), secrets_(secrets) {}
  void registerHandlers(HandlerTable& table);

  // Users (user_handlers.cpp)
  Result<Json> createUser(const RequestContext& c, const Json& in);
  Result<Json> getUser(const RequestContext& c, const Json& in);
  Result<Json> listUsers(const RequestContext& c, const Json& in);
  Result<Json> deleteUser(const RequestContext& c, const Json& in);
  // Access keys (access_key_handlers.cpp)
  Result<Json> createAccessKey(const RequestContext& c, const Json& in);
  Result<Json> listAccessKeys(const RequestContext& c, const Json& in);
  Result<Json> updateAccessKey(const RequestContext& c, const Json& in);
  Result<Json> deleteAccessKey(const RequestContext& c, const Json& in);
  // Groups and their members (group_handlers.cpp)
  Result<Json> createGroup(const RequestContext& c, const Json& in);
  Result<Json> getGroup(const RequestContext& c, const Json& in);
  Result<Json> listGroups(const RequestContext& c, const Json& in);
  Result<Json> deleteGroup(const RequestContext& c, const Json& in);
  Result<Json> addUserToGroup(const RequestContext& c, const Json& in);
  Result<Json> removeUserFromGroup(const RequestContext& c, const Json& in);
  Result<Json> listGroupsForUser(const RequestContext& c, const Json& in);
  // Roles (role_handlers.cpp)
  Result<Json> createRole(const RequestContext& c, const Json& in);
  Result<Json> getRole(const RequestContext& c, const Json& in);
  Result<Json> listRoles(const RequestContext& c, const Json& in);
  Result<Json> deleteRole(const RequestContext& c, const Json& in);
  Result<Json> updateAssumeRolePolicy(const RequestContext& c, const Json& in);
  Result<Json> updateRole(const RequestContext& c, const Json& in);
  // Tags on users and roles: aws:PrincipalTag/<key> (principal_tag_handlers.cpp)
  Result<Json> tagPrincipal(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Json> untagPrincipal(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Json> listPrincipalTags(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  // Managed policies and their versions (policy_handlers.cpp)
  Result<Json> createPolicy(const RequestContext& c, const Json& in);
  Result<Json> getPolicy(const RequestContext& c, const Json& in);
  Result<Json> listPolicies(const RequestContext& c, const Json& in);
  Result<Json> deletePolicy(const RequestContext& c, const Json& in);
  Result<Json> createPolicyVersion(const RequestContext& c, const Json& in);
  Result<Json> getPolicyVersion(const RequestContext& c, const Json& in);
  Result<Json> listPolicyVersions(const RequestContext& c, const Json& in);
  Result<Json> setDefaultPolicyVersion(const RequestContext& c, const Json& in);
  Result<Json> deletePolicyVersion(const RequestContext& c, const Json& in);
  // A principal's attached and inline policies (principal_policy_handlers.cpp)
  Result<Json> attachPolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Json> detachPolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Json> listAttachedPolicies(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Json> putInlinePolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Json> getInlinePolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Json> deleteInlinePolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Json> listInlinePolicies(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  // Permissions boundaries of users and roles (boundary_handlers.cpp)
  Result<Json> putPermissionsBoundary(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Json> deletePermissionsBoundary(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  // The policy simulator (simulate_handlers.cpp)
  Result<Json> simulatePrincipalPolicy(const RequestContext& c, const Json& in);
  Result<Json> simulateCustomPolicy(const RequestContext& c, const Json& in);

 private:
  // The user named by the input's UserName, else the caller (an IAM user;
  // the root and roles' sessions have no user record: ValidationError).
  Result<Resource> targetUser(const RequestContext& c, const Json& in);
  Result<Resource> targetPrincipal(const PrincipalKind& kind, const RequestContext& c, const Json& in);
  Result<Resource> findPolicy(const RequestContext& c, const std::string& arn);
  std::optional<ApiError> checkTrustPolicy(const RequestContext& c, const std::string& document);
  // A managed policy of the account that may be a permissions boundary.
  std::optional<ApiError> checkBoundary(const RequestContext& c, const std::string& arn);

  Catalog& catalog_;
  const SecretBox& secrets_;
};

}  // namespace kura::iam
