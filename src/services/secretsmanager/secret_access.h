#pragma once
// Who may call Secrets Manager on a secret, as AWS decides it within the
// secret's account: the caller's identity policies or the secret's
// resource policy may allow (either is enough), and an explicit Deny in
// either refuses. Condition keys: the global ones, secretsmanager:SecretId,
// secretsmanager:ResourceTag/<key> and aws:ResourceTag/<key>.
#include <functional>

#include <nlohmann/json.hpp>

#include "auth/resource_policy.h"
#include "services/secretsmanager/secret_record.h"

namespace kura::secrets {

// SecretsManager's limit on a resource policy, in characters.
constexpr size_t kMaxResourcePolicyChars = 20480;

Result<auth::ResourcePolicy> parseSecretPolicy(const std::string& text);
// A policy that lets anyone in: an Allow to "*" (or NotPrincipal) without a
// condition. BlockPublicPolicy refuses it.
bool isPublicPolicy(const auth::ResourcePolicy& policy);

using IdentityDecision = std::function<auth::Decision(const auth::RequestFacts&)>;

// The decision on a call on `secret` (null: the call names no secret that
// exists, which IAM alone decides).
auth::ResourceVerdict authorizeSecretCall(const SecretRecord* secret, const auth::Caller& caller,
                                          const auth::RequestFacts& facts, const IdentityDecision& identity);

}  // namespace kura::secrets
