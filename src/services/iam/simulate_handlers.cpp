// The policy simulator: SimulatePrincipalPolicy evaluates a user's (its
// groups' included), a group's or a role's policies, with any more given in
// PolicyInputList, and SimulateCustomPolicy the given ones alone, for each
// action and resource asked, through the evaluator every call goes through
// (auth/policy_evaluation.h). Condition keys are those of ContextEntries
// (the first value of each), as IAM's simulator takes them; the keys the
// policies read that are not given are answered as MissingContextValues,
// the statements that decided as MatchedStatements. A user's or role's
// permissions boundary (or PermissionsBoundaryPolicyInputList) limits the
// decision as it limits the principal's calls
// (PermissionsBoundaryDecisionDetail).
#include <algorithm>
#include <charconv>
#include <set>

#include "auth/policy_evaluation.h"
#include "catalog/pagination.h"
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

// Parses what `given` holds (the caller's own: a document that does not
// parse is its error; a stored one that no longer parses grants nothing).
Result<bool> parseAll(const std::vector<SourcedDocument>& given, std::vector<auth::PolicyDocument>& documents,
                      std::vector<const SourcedDocument*>& origins) {
  for (const auto& source : given) {
    auto parsed = auth::parsePolicyDocument(source.text);
    if (!parsed) {
      if (source.type == "none") return parsed.error();
      continue;
    }
    documents.push_back(std::move(*parsed));
    origins.push_back(&source);
  }
  return true;
}

// `boundary`: the principal's permissions boundary (its documents, or
// PermissionsBoundaryPolicyInputList's), empty for none.
Result<Json> simulate(std::vector<SourcedDocument> sources, std::vector<SourcedDocument> boundary, const Json& in) {
  size_t index = 0;
  for (const auto& text : in.value("PolicyInputList", std::vector<std::string>())) {
    sources.push_back({"PolicyInputList." + std::to_string(++index), "none", text});
  }
  index = 0;
  for (const auto& text : in.value("PermissionsBoundaryPolicyInputList", std::vector<std::string>())) {
    if (index == 0) boundary.clear();  // given: simulated in the stead of the principal's own
    boundary.push_back({"PermissionsBoundaryPolicyInputList." + std::to_string(++index), "none", text});
  }
  // Parsed in order, each beside where it came from.
  std::vector<auth::PolicyDocument> documents, limits;
  std::vector<const SourcedDocument*> origins, limitOrigins;
  if (auto parsed = parseAll(sources, documents, origins); !parsed) return parsed.error();
  if (auto parsed = parseAll(boundary, limits, limitOrigins); !parsed) return parsed.error();
  bool bounded = !boundary.empty();
  std::vector<const auth::PolicyDocument*> view, limitView;
  std::set<std::string> keysRead;
  for (auto* list : {&documents, &limits}) {
    for (const auto& document : *list) {
      (list == &documents ? view : limitView).push_back(&document);
      for (const auto& statement : document.statements) {
        for (const auto& condition : statement.conditions) keysRead.insert(condition.key);
      }
    }
  }
  auth::RequestFacts facts;
  for (const auto& entry : in.value("ContextEntries", Json::array())) {
    std::string name = recordName(entry.value("ContextKeyName", ""));
    auto values = entry.value("ContextKeyValues", std::vector<std::string>());
    if (name.empty() || values.empty()) continue;
    // A list type (stringList, ...) is a key of several values.
    if (entry.value("ContextKeyType", "").ends_with("List")) {
      facts.multiKeys[name] = values;
    } else {
      facts.keys[name] = values.front();
    }
  }
  Json missing = Json::array();
  for (const auto& key : keysRead) {
    if (!facts.keys.contains(key) && !facts.multiKeys.contains(key)) missing.push_back(key);
  }
  auto resources = in.value("ResourceArns", std::vector<std::string>());
  if (resources.empty()) resources.push_back("*");
  auto actions = in["ActionNames"].get<std::vector<std::string>>();
  // A page of the (action, resource) pairs, MaxItems of them (100 unless
  // asked), from the pair the Marker names: the pairs are as many as the
  // product of two lists the caller sends.
  auto page = pageOf(in);
  if (!page) return page.error();
  size_t first = 0;
  if (const std::string& after = page->afterName; !after.empty()) {
    auto [end, error] = std::from_chars(after.data(), after.data() + after.size(), first);
    if (error != std::errc() || end != after.data() + after.size()) return validationError("Invalid Marker.");
  }
  size_t total = actions.size() * resources.size();
  size_t last = first + std::min(page->limit, total - std::min(first, total));
  Json results = Json::array();
  for (size_t pair = first; pair < last; ++pair) {
    const std::string& resource = resources[pair % resources.size()];
    facts.action = actions[pair / resources.size()];
    facts.resources = {resource};
    std::vector<auth::StatementRef> matched;
    auth::Decision decision = auth::explainPolicies(view, facts, &matched);
    Json statements = Json::array();
    for (const auto& ref : matched) {
      statements.push_back({{"SourcePolicyId", origins[ref.policy]->id},
                            {"SourcePolicyType", origins[ref.policy]->type}});
    }
    Json result = {{"EvalActionName", facts.action},
                   {"EvalResourceName", resource},
                   {"MissingContextValues", missing}};
    if (bounded) {
      // The boundary must allow what the identity policies allow; its Deny
      // refuses whatever they say.
      std::vector<auth::StatementRef> limitMatched;
      auth::Decision limit = auth::explainPolicies(limitView, facts, &limitMatched);
      result["PermissionsBoundaryDecisionDetail"] = {{"AllowedByPermissionsBoundary", limit == auth::Decision::Allow}};
      if (decision != auth::Decision::ExplicitDeny &&
          (limit == auth::Decision::ExplicitDeny || (decision == auth::Decision::Allow && limit != decision))) {
        decision = limit;
        statements = Json::array();
        for (const auto& ref : limitMatched) {
          statements.push_back({{"SourcePolicyId", limitOrigins[ref.policy]->id},
                                {"SourcePolicyType", limitOrigins[ref.policy]->type}});
        }
      }
    }
    result["EvalDecision"] = decisionName(decision);
    result["MatchedStatements"] = statements;
    results.push_back(std::move(result));
  }
  Json out = {{"EvaluationResults", results}, {"IsTruncated", last < total}};
  if (last < total) out["Marker"] = encodeAfterName(std::to_string(last));
  return out;
}

}  // namespace

Result<Json> IamApi::simulatePrincipalPolicy(const RequestContext& c, const Json& in) {
  std::string arn = in["PolicySourceArn"];
  auto source = catalog_.getResourceByArn(arn);
  if (!source || source->accountId != c.accountId ||
      (source->kind != kUser && source->kind != kGroup && source->kind != kRole)) {
    return noSuchEntity("The entity with ARN " + arn + " cannot be found.");
  }
  std::vector<SourcedDocument> boundary;
  if (std::string boundaryArn = permissionsBoundaryOf(*source); !boundaryArn.empty()) {
    // A boundary whose policy is gone allows nothing: an empty policy stands for it.
    auto text = defaultPolicyDocument(catalog_, boundaryArn);
    boundary.push_back({boundaryArn.substr(boundaryArn.rfind('/') + 1), "user-managed",
                        text.value_or(R"({"Version":"2012-10-17","Statement":[]})")});
  }
  return simulate(sourcedPolicyDocuments(catalog_, *source), std::move(boundary), in);
}

Result<Json> IamApi::simulateCustomPolicy(const RequestContext&, const Json& in) { return simulate({}, {}, in); }

}  // namespace kura::iam
