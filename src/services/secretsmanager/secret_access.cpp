#include "services/secretsmanager/secret_access.h"

#include <algorithm>

namespace kura::secrets {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

Result<auth::ResourcePolicy> parseSecretPolicy(const std::string& text) {
  return auth::parseResourcePolicy(text, "MalformedPolicyDocumentException", kMaxResourcePolicyChars);
}

bool isPublicPolicy(const auth::ResourcePolicy& policy) {
  return std::any_of(policy.statements.begin(), policy.statements.end(), [](const auth::ResourcePolicyStatement& s) {
    const auto& statement = s.document.statements.front();
    return statement.allow && (s.anyone || s.notPrincipal) && statement.conditions.empty();
  });
}

auth::ResourceVerdict authorizeSecretCall(const SecretRecord* secret, const auth::Caller& caller,
                                          const auth::RequestFacts& facts, const IdentityDecision& identity) {
  if (secret == nullptr) return {identity(facts)};
  auth::RequestFacts one = facts;
  one.keys.insert_or_assign("secretsmanager:secretid", secret->arn);
  for (const auto& [key, value] : secret->tags) {
    one.keys.insert_or_assign("secretsmanager:resourcetag/" + lower(key), value);
    one.keys.insert_or_assign("aws:resourcetag/" + lower(key), value);
  }
  auth::Decision identityDecision = identity(one);
  if (identityDecision == auth::Decision::ExplicitDeny) return {identityDecision};
  if (secret->resourcePolicy.empty()) return {identityDecision};
  auto policy = parseSecretPolicy(secret->resourcePolicy);
  if (!policy) return {identityDecision};  // checked when stored
  auto finding = auth::evaluateResourcePolicy(*policy, caller, one);
  if (finding.deny) return {auth::Decision::ExplicitDeny, true, "", secret->arn};
  if (finding.allowCaller || identityDecision == auth::Decision::Allow) return {auth::Decision::Allow};
  return {auth::Decision::ImplicitDeny, false, "", secret->arn};
}

}  // namespace kura::secrets
