#pragma once
// The decision on one API call made by an IAM user: its action and
// resources (auth/request_resources.h) and the global condition keys, under
// the user's identity policies (auth/policy_evaluation.h). The account root
// never comes here: the gateway asks only for IAM users.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "iam/iam_principals.h"
#include "services/core/request_context.h"

namespace kura::iam {

class RequestAuthorizer {
 public:
  // The ARN of the KMS key an alias ("alias/name" or its ARN) names in an
  // account and region; empty if none.
  using KmsAliasResolver =
      std::function<std::string(const std::string& account, const std::string& region, const std::string& alias)>;

  explicit RequestAuthorizer(IamPrincipals& principals) : principals_(principals) {}
  // KMS authorizes a call that names a key by alias on the key itself.
  void setKmsAliasResolver(KmsAliasResolver resolver) { kmsAliasResolver_ = std::move(resolver); }
  // Empty when allowed; else AWS's error naming user, action and resource:
  // AccessDenied (HTTP 403) for `protocol` "query", AccessDeniedException
  // (400) for "json", UnauthorizedOperation (403) for "ec2".
  std::optional<ApiError> authorize(const RequestContext& context, const nlohmann::json& input,
                                    std::string_view protocol) const;

 private:
  IamPrincipals& principals_;
  KmsAliasResolver kmsAliasResolver_;
};

}  // namespace kura::iam
