#pragma once
// The evaluation of identity-based policies for one request, as IAM does it
// within one account: a request is allowed when a statement allows it and
// none denies it; an explicit Deny wins; nothing said is a deny.
//
// What a statement matches:
//  - Action / NotAction: "service:Operation" patterns, `*` and `?`
//    wildcards, case-insensitive;
//  - Resource / NotResource: ARN patterns with `*` and `?`, case-sensitive;
//  - Condition: every operator and key must hold (values of one key: any).
//    Operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
//    StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals,
//    ArnLike, ArnNotEquals, ArnNotLike, Bool, IpAddress, NotIpAddress,
//    DateEquals, DateNotEquals, DateLessThan(Equals), DateGreaterThan(Equals),
//    NumericEquals, NumericNotEquals, NumericLessThan(Equals),
//    NumericGreaterThan(Equals), Null, each with an IfExists form and the
//    ForAnyValue: and ForAllValues: qualifiers. A key may carry several
//    values (dynamodb:LeadingKeys, aws:TagKeys): ForAllValues holds when
//    every value matches (a negated operator: matches none of the
//    condition's values), ForAnyValue when one does; without a qualifier a
//    positive operator holds when one value matches, a negated one when
//    none does. A missing key: ForAllValues holds, ForAnyValue does not.
//    An operator Kura does not know never holds (parsing refuses it). A key the request does not carry is absent, as in IAM: a
//    positive operator is false, a negated one (StringNotEquals,
//    NotIpAddress, ...) true, an IfExists form true, Null true.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy_document.h"

namespace kura::auth {

using ConditionKeys = std::map<std::string, std::string, std::less<>>;

// What a request is, as the policies see it.
struct RequestFacts {
  std::string action;                  // "dynamodb:GetItem"
  std::vector<std::string> resources;  // ARNs or "*"; each must be allowed
  // Condition keys in lower case ("aws:sourceip") and their values.
  ConditionKeys keys;
  // Keys of several values ("dynamodb:leadingkeys", "aws:tagkeys"), never
  // empty lists (a key without values is absent).
  std::map<std::string, std::vector<std::string>, std::less<>> multiKeys;
  // Keys of one resource of `resources` (its tags: "aws:resourcetag/team",
  // "rds:db-tag/team"), by its ARN: evaluated with that resource only.
  std::map<std::string, ConditionKeys, std::less<>> resourceKeys;
  // The caller has a permissions boundary: a resource policy's
  // NotPrincipal never leaves it out (auth/resource_policy.h).
  bool boundedPrincipal = false;
  // The caller is a role's session given a session policy, which limits
  // what a resource policy grants to its role (not to the session itself).
  bool limitedSession = false;
  // Asked of the caller's side: only what limits it (its permissions
  // boundary, its session policy), not its identity policies. A resource
  // policy's grant to the caller's role stands where these allow.
  bool limitsOnly = false;
};

enum class Decision { Allow, ImplicitDeny, ExplicitDeny };

// The decision for `facts` under every one of `policies` (a user's
// attached and inline policies together). With several resources, the
// first one not allowed decides, and `deniedResource` names it.
Decision evaluatePolicies(const std::vector<const PolicyDocument*>& policies, const RequestFacts& facts,
                          std::string* deniedResource = nullptr);

// The decision on `facts`' first resource (or "*"), and the statements
// that made it, as (policy index, statement index): the Deny statements
// that apply when one does, else the Allow ones (none for an implicit
// deny). What the policy simulator answers as MatchedStatements.
struct StatementRef {
  size_t policy = 0;
  size_t statement = 0;
};
Decision explainPolicies(const std::vector<const PolicyDocument*>& policies, const RequestFacts& facts,
                         std::vector<StatementRef>* matched);

// `*` matches any run of characters, `?` any one character.
bool wildcardMatch(std::string_view pattern, std::string_view text, bool ignoreCase);

}  // namespace kura::auth
