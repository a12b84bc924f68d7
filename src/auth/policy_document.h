#pragma once
// An IAM identity-based policy document, parsed once and kept compiled: what
// the evaluator (auth/policy_evaluation.h) reads on every call an IAM user
// makes. Parsing checks what IAM checks when a policy is stored (JSON,
// Version, Statement, Effect, Action or NotAction, Resource or NotResource,
// no Principal) and answers MalformedPolicyDocument with IAM's wording.
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"

namespace kura::auth {

// One test of a Condition block: {"StringEquals": {"aws:username": ["a"]}}
// gives {operator "StringEquals", key "aws:username", values ["a"]}.
struct PolicyCondition {
  std::string op;   // as written, without a set qualifier or an IfExists suffix
  bool ifExists = false;
  std::string key;  // lower case: condition keys are case-insensitive
  std::vector<std::string> values;
  // "ForAnyValue" or "ForAllValues" (the set operators), else empty.
  std::string qualifier;
};

struct PolicyStatement {
  std::string sid;
  bool allow = false;
  bool notAction = false;  // the actions are those it does not name
  std::vector<std::string> actions;  // lower case ("dynamodb:getitem", "s3:*")
  bool notResource = false;
  std::vector<std::string> resources;  // as written: ARNs are case-sensitive
  std::vector<PolicyCondition> conditions;  // all must hold
};

struct PolicyDocument {
  std::string version;  // "2012-10-17" or "2008-10-17"
  std::vector<PolicyStatement> statements;
};

// Whether the evaluator knows a condition operator (without its qualifier
// and IfExists suffix): a document with another is refused when stored.
bool knownConditionOperator(std::string_view op);

// The document, or MalformedPolicyDocument (HTTP 400) saying what is wrong.
Result<PolicyDocument> parsePolicyDocument(std::string_view text);

}  // namespace kura::auth
