#pragma once
// A role's trust policy (its AssumeRolePolicyDocument): who may assume the
// role. Each statement names principals (Principal: "*", {"AWS": account
// id, account root ARN, user or role ARN, assumed-role session ARN},
// {"Service": "...amazonaws.com"}) beside the actions (sts:AssumeRole) and
// conditions an identity policy has, and no Resource: the role is it.
// Parsing checks what IAM checks when a role is created or its trust
// policy updated (MalformedPolicyDocument in IAM's words).
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy_document.h"
#include "auth/policy_evaluation.h"
#include "common/api_error.h"

namespace kura::auth {

struct TrustStatement {
  bool anyPrincipal = false;            // "*" or {"AWS": "*"}
  std::vector<std::string> aws;         // as written: ids and ARNs
  std::vector<std::string> services;    // "ec2.amazonaws.com"
  PolicyDocument body;                  // the statement itself, on Resource "*"
};

struct TrustPolicy {
  std::vector<TrustStatement> statements;
};

Result<TrustPolicy> parseTrustPolicy(std::string_view text);

// Who calls, as a trust policy names it: its ARN, and for a role's session
// the role's ARN too; and its account.
struct TrustCaller {
  std::vector<std::string> arns;
  std::string accountId;
};

// The decision on `facts` (sts:AssumeRole, its condition keys) for
// `caller`: allowed when a statement naming it allows, denied by any that
// names it and denies.
Decision evaluateTrustPolicy(const TrustPolicy& policy, const TrustCaller& caller, const RequestFacts& facts);

}  // namespace kura::auth
