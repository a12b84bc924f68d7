#pragma once
// IAM's users, access keys and managed policies as catalog records. IAM is
// global: every record is in the region "" of its account. Names of users
// and policies are unique without regard to case, as in IAM: a record's
// catalog name is the lower-case name, its spec keeps the name as given.
//
//   iam-user        spec {UserName, UserId, Path, AccessKeys: [id],
//                         AttachedPolicies: [arn], InlinePolicies: {name: doc}}
//   iam-access-key  name AccessKeyId; spec {UserName (the user's record
//                   name), Status, SecretSealed (common/secret_box.h)}
//   iam-policy      spec {PolicyName, PolicyId, Path, Description,
//                         DefaultVersionId, NextVersion, AttachmentCount,
//                         Versions: [{VersionId, Document, CreateDate}]}
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace kura::iam {

inline constexpr const char* kService = "iam";
inline constexpr const char* kRegion = "";
inline constexpr const char* kUser = "iam-user";
inline constexpr const char* kAccessKey = "iam-access-key";
inline constexpr const char* kPolicy = "iam-policy";

std::string recordName(const std::string& name);  // lower case
std::string userArn(const std::string& accountId, const std::string& path, const std::string& userName);
std::string policyArn(const std::string& accountId, const std::string& path, const std::string& policyName);

// The user of that name (any case); kNotFound from the catalog if none.
Result<Resource> findUser(Catalog& catalog, const std::string& accountId, const std::string& userName);

// The documents of a user's identity policies: the default version of
// every attached managed policy, then every inline policy.
std::vector<std::string> userPolicyDocuments(Catalog& catalog, const Resource& user);

}  // namespace kura::iam
