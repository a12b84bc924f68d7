#pragma once
// The decision on one API call made by an IAM user: its action and
// resources (auth/request_resources.h) and the global condition keys, under
// the user's identity policies (auth/policy_evaluation.h). The account root
// never comes here: the gateway asks only for IAM users.
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
  explicit RequestAuthorizer(IamPrincipals& principals) : principals_(principals) {}
  // Empty when allowed; else AWS's error naming user, action and resource:
  // AccessDenied (HTTP 403) for `protocol` "query", AccessDeniedException
  // (400) for "json", UnauthorizedOperation (403) for "ec2".
  std::optional<ApiError> authorize(const RequestContext& context, const nlohmann::json& input,
                                    std::string_view protocol) const;

 private:
  IamPrincipals& principals_;
};

}  // namespace kura::iam
