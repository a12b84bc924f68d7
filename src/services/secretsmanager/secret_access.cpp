#include "services/secretsmanager/secret_access.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kura::secrets {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Stored resource policies, parsed once (they were checked when stored):
// by their text, at most kMaxParsed of them (20 KiB each), then started over.
constexpr size_t kMaxParsed = 256;

std::shared_ptr<const auth::ResourcePolicy> storedPolicy(const std::string& text) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const auth::ResourcePolicy>> parsed;  // guarded by mutex
  {
    std::lock_guard lock(mutex);
    if (auto it = parsed.find(text); it != parsed.end()) return it->second;
  }
  auto policy = parseSecretPolicy(text);
  if (!policy) return nullptr;
  auto shared = std::make_shared<const auth::ResourcePolicy>(std::move(*policy));
  std::lock_guard lock(mutex);
  if (parsed.size() >= kMaxParsed) parsed.clear();
  parsed.emplace(text, shared);
  return shared;
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
  auto policy = storedPolicy(secret->resourcePolicy);
  if (!policy) return {identityDecision};  // checked when stored
  auto finding = auth::evaluateResourcePolicy(*policy, caller, one);
  if (finding.deny) return {auth::Decision::ExplicitDeny, true, "", secret->arn};
  if (identityDecision == auth::Decision::Allow || auth::callerGranted(finding, one, identity)) {
    return {auth::Decision::Allow};
  }
  return {auth::Decision::ImplicitDeny, false, "", secret->arn};
}

}  // namespace kura::secrets
