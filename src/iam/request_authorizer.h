#pragma once
// The decision on one API call made by an IAM principal (a user, or a
// role's session): its action and resources (auth/request_resources.h,
// iam/iam_request_resources.h) and the global condition keys, under the
// principal's identity policies (a user's with its groups', a role's) and
// a session's own session policy, within a user's or role's permissions
// boundary (auth/policy_evaluation.h). The account
// root never comes here: the gateway asks only for IAM principals.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "auth/resource_policy.h"
#include "common/api_error.h"
#include "iam/iam_principals.h"
#include "services/core/request_context.h"

namespace kura::ddb::partiql {
struct Statement;
}

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
  // A service whose resources carry policies of their own (KMS key policies
  // and grants, secrets' resource policies) decides its calls itself, from
  // the call's facts (global keys filled) and the identity policies'
  // decision on facts it derives (auth/resource_policy.h); set at start-up.
  using IdentityDecision = std::function<auth::Decision(const auth::RequestFacts&)>;
  using ResourcePolicyCheck = std::function<auth::ResourceVerdict(
      const RequestContext&, const nlohmann::json& input, const auth::RequestFacts&, const IdentityDecision&)>;
  // `operations`: the service's calls it decides (CreateTable with a KMS
  // key, ...); empty: all of them.
  void setResourcePolicyCheck(const std::string& service, ResourcePolicyCheck check,
                              std::set<std::string, std::less<>> operations = {}) {
    checks_[service] = {std::move(check), std::move(operations)};
  }
  // The condition keys of a service that only it can fill (DynamoDB's,
  // from a table's key schema), for a call of a principal whose policies
  // read `wanted` keys (lower case); set at start-up.
  using ServiceKeys = std::function<void(const RequestContext&, const nlohmann::json& input,
                                         const std::vector<std::string>& wanted, auth::RequestFacts&)>;
  void setServiceKeys(const std::string& service, ServiceKeys provider) {
    serviceKeys_[service] = std::move(provider);
  }
  // Whether a PartiQL SELECT reads its whole table (dynamodb:FullTableScan,
  // "true" or "false" on its dynamodb:PartiQLSelect ask): DynamoDB's to say,
  // from the table's key schema; set at start-up.
  using FullTableScanCheck = std::function<bool(const RequestContext&, const ddb::partiql::Statement&)>;
  void setFullTableScanCheck(FullTableScanCheck check) { fullTableScan_ = std::move(check); }
  // Empty when allowed; else AWS's error naming principal, action and
  // resource: AccessDenied (HTTP 403) for `protocol` "query",
  // AccessDeniedException (400) for "json", UnauthorizedOperation (403)
  // for "ec2".
  std::optional<ApiError> authorize(const RequestContext& context, const nlohmann::json& input,
                                    std::string_view protocol) const;
  // The resources a call is evaluated on (the simulator asks too).
  std::vector<std::string> resourcesOf(const RequestContext& context, const nlohmann::json& input) const;

 private:
  IamPrincipals& principals_;
  std::optional<ApiError> checkResourcePolicies(const ResourcePolicyCheck& check, const RequestContext& context,
                                                const nlohmann::json& input, const auth::RequestFacts& facts,
                                                std::string_view protocol, const IdentityDecision& identity) const;

  std::map<std::string, ResourceResolver, std::less<>> resolvers_;
  std::map<std::string, ServiceKeys, std::less<>> serviceKeys_;
  FullTableScanCheck fullTableScan_;
  struct ServiceCheck {
    ResourcePolicyCheck decide;
    std::set<std::string, std::less<>> operations;
  };
  std::map<std::string, ServiceCheck, std::less<>> checks_;
};

}  // namespace kura::iam
