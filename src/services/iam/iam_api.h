#pragma once
// The IAM API (query protocol), the first slice: users, their access keys,
// managed policies with versions, and a user's attached and inline
// policies. Records live in the catalog (iam/iam_records.h), one
// transaction per call; nothing is reconciled. The request path reads the
// same records to accept a user's key and to evaluate its policies
// (iam/iam_principals.h). Every other IAM operation answers InvalidAction.
#include <string>

#include "catalog/catalog.h"
#include "common/secret_box.h"
#include "services/core/handler_table.h"

namespace kura::iam {

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
  // A user's attached and inline policies (user_policy_handlers.cpp)
  Result<Json> attachUserPolicy(const RequestContext& c, const Json& in);
  Result<Json> detachUserPolicy(const RequestContext& c, const Json& in);
  Result<Json> listAttachedUserPolicies(const RequestContext& c, const Json& in);
  Result<Json> putUserPolicy(const RequestContext& c, const Json& in);
  Result<Json> getUserPolicy(const RequestContext& c, const Json& in);
  Result<Json> deleteUserPolicy(const RequestContext& c, const Json& in);
  Result<Json> listUserPolicies(const RequestContext& c, const Json& in);

 private:
  // The user named by the input's UserName, else the caller (an IAM user;
  // the root has no user record: ValidationError for it).
  Result<Resource> targetUser(const RequestContext& c, const Json& in);
  Result<Resource> findPolicy(const RequestContext& c, const std::string& arn);

  Catalog& catalog_;
  const SecretBox& secrets_;
};

}  // namespace kura::iam
