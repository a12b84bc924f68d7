#pragma once
// A resource-based policy (a KMS key policy, a Secrets Manager secret's
// resource policy): statements like an identity policy's, each naming the
// principals it applies to. Within one account AWS evaluates such a policy
// beside the caller's identity policies:
//  - a statement naming the caller (its ARN, a role its session assumed, or
//    "*") allows or denies by itself;
//  - one naming the account (`arn:aws:iam::<account>:root`, or the account
//    id) denies everyone in the account, and allows only what the caller's
//    identity policies allow too: the account delegates to IAM;
//  - one with NotPrincipal applies to every caller it does not leave out:
//    to be left out, each principal of the caller's chain must be named
//    (the account, then a session's role, then the caller's own ARN), and
//    a caller with a permissions boundary never is, as in AWS.
// Whether that delegation is enough (Secrets Manager) or needed (KMS) is
// the service's rule: kms/key_access.h, services/secretsmanager.
#include <optional>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy_document.h"
#include "auth/policy_evaluation.h"
#include "common/api_error.h"

namespace kura::auth {

struct ResourcePolicyStatement {
  PolicyDocument document;  // this statement alone, without its principals
  bool notPrincipal = false;
  bool anyone = false;                  // "*" or {"AWS": "*"}
  std::vector<std::string> accounts;    // 12 digits: the account root
  std::vector<std::string> arns;        // users, roles, sessions
  std::vector<std::string> services;    // {"Service": ...}: never an IAM principal
};

struct ResourcePolicy {
  std::vector<ResourcePolicyStatement> statements;
  bool usesKeys = false;  // a Condition or a policy variable somewhere
};

// The policy, or `errorCode` (MalformedPolicyDocumentException) with what
// is wrong: invalid JSON, a statement without Principal, a principal that
// is neither "*", an account, an IAM/STS ARN nor a service, and whatever an
// identity policy may not hold (auth/policy_document.h). At most `maxChars`
// characters.
Result<ResourcePolicy> parseResourcePolicy(std::string_view text, const std::string& errorCode, size_t maxChars);

// Who calls: its ARN (user, role session) and its account.
struct Caller {
  std::string arn;
  std::string account;
};

// What the statements that apply to a request say of a caller.
struct ResourcePolicyFinding {
  bool deny = false;          // a Deny applies to the caller (or its account)
  bool allowCaller = false;   // an Allow names the caller itself (or "*"), or its role
  bool allowCallerDirectly = false;  // ... the caller itself (or "*"), not through its role
  bool allowAccount = false;  // an Allow names the caller's account: IAM decides
};

// Whether the policy's Allow of the caller stands. One that names the
// caller's role, not the session, is limited by the session's policy and
// its permissions boundary, as in AWS: it stands only where those allow
// (`identity` asked with limitsOnly; the role's own policies need not).
bool callerGranted(const ResourcePolicyFinding& finding, const RequestFacts& facts,
                   const std::function<Decision(const RequestFacts&)>& identity);

ResourcePolicyFinding evaluateResourcePolicy(const ResourcePolicy& policy, const Caller& caller,
                                             const RequestFacts& facts);

// Whether a principal as written in a policy or a grant names `caller`: the
// same ARN, or the role whose session the caller is
// (arn:aws:sts::<account>:assumed-role/<role>/<session> is role <role>).
bool principalNames(std::string_view principal, const Caller& caller);

// The decision on a call under identity and resource policies together,
// and which kind of policy decided a refusal (for AWS's message).
struct ResourceVerdict {
  Decision decision = Decision::ImplicitDeny;
  bool byResourcePolicy = false;  // "... in a resource-based policy"
  std::string action;             // the action refused; empty: the call's (kms:ReEncryptFrom for ReEncrypt)
  std::string resource;           // the resource refused; empty: the call's first
  std::optional<ApiError> error;  // an answer other than AccessDenied (a malformed policy)
};

}  // namespace kura::auth
