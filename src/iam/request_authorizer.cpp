#include "iam/request_authorizer.h"

#include "auth/policy_evaluation.h"
#include "auth/request_resources.h"
#include "common/time_format.h"

namespace kura::iam {
namespace {

// The global condition keys Kura knows of a request (docs/iam.md).
void addGlobalKeys(const RequestContext& context, auth::RequestFacts& facts) {
  std::string sourceIp = context.sourceIp;
  if (sourceIp.rfind("::ffff:", 0) == 0 && sourceIp.find('.') != std::string::npos) sourceIp = sourceIp.substr(7);
  facts.keys.emplace("aws:sourceip", sourceIp);
  facts.keys.emplace("aws:securetransport", context.secureTransport ? "true" : "false");
  facts.keys.emplace("aws:requestedregion", context.region);
  facts.keys.emplace("aws:username", context.userName);
  facts.keys.emplace("aws:userid", context.userId);
  facts.keys.emplace("aws:principalarn", context.userArn);
  facts.keys.emplace("aws:principalaccount", context.accountId);
  facts.keys.emplace("aws:principaltype", "User");
  facts.keys.emplace("aws:currenttime", formatIso8601Seconds(context.receivedAt));
  facts.keys.emplace("aws:epochtime", std::to_string(static_cast<long long>(toEpochSeconds(context.receivedAt))));
  if (!context.userAgent.empty()) facts.keys.emplace("aws:useragent", context.userAgent);
}

}  // namespace

std::optional<ApiError> RequestAuthorizer::authorize(const RequestContext& context, const nlohmann::json& input,
                                                     std::string_view protocol) const {
  // STS answers who the caller is whatever its policies say, even under an
  // explicit deny, as AWS does.
  if (context.service == "sts" && context.operation == "GetCallerIdentity") return std::nullopt;
  auth::RequestFacts facts;
  facts.action = auth::actionPrefix(context.service) + ":" + context.operation;
  facts.resources = auth::requestResources(context.service, context.operation, input,
                                           {context.region, context.accountId, context.userArn});
  // IAM acts on a user by name; its ARN holds its path, which only the
  // record knows (a call on a user that does not exist keeps the name alone).
  bool policyCall = context.operation.find("Polic") != std::string::npos &&
                    context.operation.find("User") == std::string::npos;
  if (context.service == "iam" && !policyCall && input.is_object() && input.contains("UserName") &&
      input["UserName"].is_string()) {
    if (std::string arn = principals_.userArnOf(input["UserName"].get<std::string>()); !arn.empty()) {
      facts.resources.back() = arn;  // the user's, named last
    }
  }
  if (auto resolver = resolvers_.find(context.service); resolver != resolvers_.end() && input.is_object()) {
    // The resolved resource stands for the one named by name, which comes
    // last; one named by ARN beside it is still evaluated.
    if (std::string arn = resolver->second(context, input); !arn.empty()) {
      if (facts.resources.empty()) {
        facts.resources = {arn};
      } else {
        facts.resources.back() = arn;
      }
    }
  }
  auto policies = principals_.policiesOf(context.userName);
  if (policies && policies->usesKeys) addGlobalKeys(context, facts);
  std::string resource = facts.resources.empty() ? "*" : facts.resources.front();
  auth::Decision decision = auth::Decision::ImplicitDeny;
  if (policies) decision = auth::evaluatePolicies(policies->view(), facts, &resource);
  if (decision == auth::Decision::Allow) return std::nullopt;
  std::string message = "User: " + context.userArn + " is not authorized to perform: " + facts.action +
                        " on resource: " + resource +
                        (decision == auth::Decision::ExplicitDeny
                             ? " with an explicit deny in an identity-based policy"
                             : " because no identity-based policy allows the " + facts.action + " action");
  if (protocol == "json") return ApiError::sender("AccessDeniedException", message, 400);
  if (protocol == "ec2") {
    return ApiError::sender("UnauthorizedOperation", "You are not authorized to perform this operation. " + message,
                            403);
  }
  return ApiError::sender("AccessDenied", message, 403);
}

}  // namespace kura::iam
