#pragma once
// The decision on one API call made by an IAM user: its action and
// resources (auth/request_resources.h) and the global condition keys, under
// the user's identity policies (auth/policy_evaluation.h). The account root
// never comes here: the gateway asks only for IAM users.
#include <functional>
#include <map>
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
  // The ARN of the resource a call acts on when only a lookup knows it (the
  // key a KMS alias names, a secret's ARN with its random suffix); empty to
  // keep the ARN derived from the input (auth/request_resources.h).
  using ResourceResolver = std::function<std::string(const RequestContext&, const nlohmann::json& input)>;

  explicit RequestAuthorizer(IamPrincipals& principals) : principals_(principals) {}
  // For the calls of the service of signing name `service`; set at start-up.
  void setResourceResolver(const std::string& service, ResourceResolver resolver) {
    resolvers_[service] = std::move(resolver);
  }
  // Empty when allowed; else AWS's error naming user, action and resource:
  // AccessDenied (HTTP 403) for `protocol` "query", AccessDeniedException
  // (400) for "json", UnauthorizedOperation (403) for "ec2".
  std::optional<ApiError> authorize(const RequestContext& context, const nlohmann::json& input,
                                    std::string_view protocol) const;

 private:
  IamPrincipals& principals_;
  std::map<std::string, ResourceResolver, std::less<>> resolvers_;
};

}  // namespace kura::iam
