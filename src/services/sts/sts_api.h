#pragma once
// STS's calls that issue temporary credentials (sts_api.cpp).
//  - AssumeRole: an IAM user or a role's session (never the root) whose own
//    policies allow sts:AssumeRole on the role (the gateway's authorizer
//    decided that before), and whom the role's trust policy names, gets a
//    session of the role for DurationSeconds (900 to the role's
//    MaxSessionDuration; an hour at most when a session assumes a role),
//    under the role's policies and, if given, a session policy.
//  - GetSessionToken: a session of the caller itself (an IAM user: 900 s to
//    36 h, 12 h by default; the root: an hour at most).
#include "catalog/catalog.h"
#include "common/secret_box.h"
#include "services/core/handler_table.h"

namespace kura::sts {

class StsApi {
 public:
  StsApi(Catalog& catalog, const SecretBox& secrets) : catalog_(catalog), secrets_(secrets) {}
  Result<Json> assumeRole(const RequestContext& c, const Json& in);
  Result<Json> getSessionToken(const RequestContext& c, const Json& in);

 private:
  // The caller's tags (aws:PrincipalTag in the role's trust policy).
  std::vector<std::pair<std::string, std::string>> callerTags(const RequestContext& c) const;
  Catalog& catalog_;
  const SecretBox& secrets_;
};

}  // namespace kura::sts
