#pragma once
// IAM's principals and policies as catalog records. IAM is global: every
// record is in the region "" of its account. Names of users, groups, roles
// and policies are unique without regard to case, as in IAM: a record's
// catalog name is the lower-case name, its spec keeps the name as given.
//
//   iam-user        spec {UserName, UserId, Path, AccessKeys: [id],
//                         Groups: [group record name], Tags: [{Key, Value}],
//                         AttachedPolicies: [arn], InlinePolicies: {name: doc}}
//   iam-group       spec {GroupName, GroupId, Path, Users: [user record name],
//                         AttachedPolicies, InlinePolicies}
//   iam-role        spec {RoleName, RoleId, Path, Description,
//                         AssumeRolePolicyDocument, MaxSessionDuration, Tags,
//                         AttachedPolicies, InlinePolicies}
//                   users and roles: PermissionsBoundary (a managed
//                   policy's ARN) when they have one
//   iam-access-key  name AccessKeyId; spec {UserName (the user's record
//                   name), Status, SecretSealed (common/secret_box.h)}
//   iam-policy      spec {PolicyName, PolicyId, Path, Description,
//                         DefaultVersionId, NextVersion, AttachmentCount,
//                         Versions: [{VersionId, Document, CreateDate}]}
//   sts-session     name AccessKeyId (ASIA...), service "sts"; spec
//                   {SecretSealed, TokenSealed, Expiration (epoch seconds),
//                    Type ("AssumedRole", "IAMUser" or "Root"), RoleName
//                    (record name), SessionName, UserName (record name),
//                    Policy (a session policy, or absent)}
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace kura::iam {

inline constexpr const char* kService = "iam";
inline constexpr const char* kRegion = "";
inline constexpr const char* kUser = "iam-user";
inline constexpr const char* kGroup = "iam-group";
inline constexpr const char* kRole = "iam-role";
inline constexpr const char* kAccessKey = "iam-access-key";
inline constexpr const char* kPolicy = "iam-policy";
inline constexpr const char* kSession = "sts-session";

std::string recordName(const std::string& name);  // lower case
std::string userArn(const std::string& accountId, const std::string& path, const std::string& userName);
std::string groupArn(const std::string& accountId, const std::string& path, const std::string& groupName);
std::string roleArn(const std::string& accountId, const std::string& path, const std::string& roleName);
std::string policyArn(const std::string& accountId, const std::string& path, const std::string& policyName);
// arn:aws:sts::<account>:assumed-role/<role>/<session>
std::string assumedRoleArn(const std::string& accountId, const std::string& roleName, const std::string& session);

// The user (group, role) of that name (any case); kNotFound from the
// catalog if none.
Result<Resource> findUser(Catalog& catalog, const std::string& accountId, const std::string& userName);
Result<Resource> findGroup(Catalog& catalog, const std::string& accountId, const std::string& groupName);
Result<Resource> findRole(Catalog& catalog, const std::string& accountId, const std::string& roleName);

// The ARN of a user's or role's permissions boundary; empty if none.
std::string permissionsBoundaryOf(const Resource& principal);

// The default version's document of the managed policy of that ARN.
std::optional<std::string> defaultPolicyDocument(Catalog& catalog, const std::string& arn);
// The documents of one principal's (user's, group's, role's) own identity
// policies: the default version of every attached managed policy, then
// every inline policy.
std::vector<std::string> ownPolicyDocuments(Catalog& catalog, const Resource& principal);
// A user's, those of its groups included.
std::vector<std::string> userPolicyDocuments(Catalog& catalog, const Resource& user);

// A principal's documents (a user's with its groups') and where each comes
// from, as the policy simulator names them: a managed policy by its name
// (type "user-managed"), an inline one by its name (type "user", "group"
// or "role", its principal's kind).
struct SourcedDocument {
  std::string id, type, text;
};
std::vector<SourcedDocument> sourcedPolicyDocuments(Catalog& catalog, const Resource& principal);

}  // namespace kura::iam
