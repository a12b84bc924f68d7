// The policy simulator: SimulatePrincipalPolicy evaluates a user's (its
// groups' included), a group's or a role's policies, with any more given in
// PolicyInputList, and SimulateCustomPolicy the given ones alone, for each
// action and resource asked, through the evaluator every call goes through
// (auth/policy_evaluation.h). Condition keys are those of ContextEntries
// (the first value of each), as IAM's simulator takes them.
#include "auth/policy_evaluation.h"
#include "iam/iam_principals.h"
#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {
namespace {

const char* decisionName(auth::Decision decision) {
  switch (decision) {
    case auth::Decision::Allow: return "allowed";
    case auth::Decision::ExplicitDeny: return "explicitDeny";
    case auth::Decision::ImplicitDeny: return "implicitDeny";
  }
  return "implicitDeny";
}

Result<Json> simulate(const std::vector<std::string>& documents, const Json& in) {
  std::vector<std::string> texts = documents;
  for (const auto& text : in.value("PolicyInputList", std::vector<std::string>())) {
    if (auto parsed = auth::parsePolicyDocument(text); !parsed) return parsed.error();
    texts.push_back(text);
  }
  auto compiled = compilePolicies(texts);
  auth::RequestFacts facts;
  for (const auto& entry : in.value("ContextEntries", Json::array())) {
    std::string name = recordName(entry.value("ContextKeyName", ""));
    auto values = entry.value("ContextKeyValues", std::vector<std::string>());
    if (!name.empty() && !values.empty()) facts.keys[name] = values.front();
  }
  auto resources = in.value("ResourceArns", std::vector<std::string>());
  if (resources.empty()) resources.push_back("*");
  Json results = Json::array();
  for (const auto& action : in["ActionNames"]) {
    for (const auto& resource : resources) {
      facts.action = action.get<std::string>();
      facts.resources = {resource};
      auth::Decision decision = auth::evaluatePolicies(compiled->view(), facts);
      results.push_back({{"EvalActionName", facts.action},
                         {"EvalResourceName", resource},
                         {"EvalDecision", decisionName(decision)},
                         {"MatchedStatements", Json::array()},
                         {"MissingContextValues", Json::array()}});
    }
  }
  return Json{{"EvaluationResults", results}, {"IsTruncated", false}};
}

}  // namespace

Result<Json> IamApi::simulatePrincipalPolicy(const RequestContext& c, const Json& in) {
  std::string arn = in["PolicySourceArn"];
  auto source = catalog_.getResourceByArn(arn);
  if (!source || source->accountId != c.accountId ||
      (source->kind != kUser && source->kind != kGroup && source->kind != kRole)) {
    return noSuchEntity("The entity with ARN " + arn + " cannot be found.");
  }
  return simulate(source->kind == kUser ? userPolicyDocuments(catalog_, *source) : ownPolicyDocuments(catalog_, *source),
                  in);
}

Result<Json> IamApi::simulateCustomPolicy(const RequestContext&, const Json& in) { return simulate({}, in); }

}  // namespace kura::iam
