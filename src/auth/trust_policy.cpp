#include "auth/trust_policy.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace kura::auth {
namespace {

using Json = nlohmann::json;

ApiError malformed(std::string message) { return ApiError::sender("MalformedPolicyDocument", std::move(message)); }

Result<std::vector<std::string>> stringList(const Json& value) {
  std::vector<std::string> out;
  for (const Json& item : value.is_array() ? value : Json::array({value})) {
    if (!item.is_string()) return malformed("Syntax errors in policy.");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// An AWS principal IAM accepts: "*", a 12-digit account id, or an IAM or
// STS ARN of a root, user, role or assumed role.
bool validAwsPrincipal(const std::string& value) {
  if (value == "*") return true;
  if (value.size() == 12 && std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return true;
  }
  for (std::string_view prefix : {"arn:aws:iam::", "arn:aws:sts::"}) {
    if (value.rfind(prefix, 0) != 0) continue;
    size_t colon = value.find(':', prefix.size());
    if (colon != prefix.size() + 12) return false;
    std::string_view rest = std::string_view(value).substr(colon + 1);
    if (prefix == "arn:aws:sts::") return rest.rfind("assumed-role/", 0) == 0;
    return rest == "root" || rest.rfind("user/", 0) == 0 || rest.rfind("role/", 0) == 0;
  }
  return false;
}

Result<TrustStatement> parseStatement(const Json& given) {
  if (!given.is_object()) return malformed("Syntax errors in policy.");
  if (given.contains("NotPrincipal")) return malformed("Has prohibited field NotPrincipal");
  if (given.contains("Resource") || given.contains("NotResource")) return malformed("Has prohibited field Resource.");
  if (!given.contains("Principal")) return malformed("Missing required field Principal");
  TrustStatement statement;
  const Json& principal = given["Principal"];
  if (principal.is_string()) {
    if (principal != "*") return malformed("Invalid principal in policy: " + principal.dump());
    statement.anyPrincipal = true;
  } else if (principal.is_object() && !principal.empty()) {
    for (auto it = principal.begin(); it != principal.end(); ++it) {
      auto values = stringList(it.value());
      if (!values) return values.error();
      if (it.key() == "AWS") {
        for (const auto& value : *values) {
          if (!validAwsPrincipal(value)) return malformed("Invalid principal in policy: \"AWS\":\"" + value + "\"");
          if (value == "*") statement.anyPrincipal = true;
          statement.aws.push_back(value);
        }
      } else if (it.key() == "Service") {
        for (const auto& value : *values) {
          if (value.empty()) return malformed("Invalid principal in policy: \"SERVICE\":\"\"");
          statement.services.push_back(value);
        }
      } else {
        // Federated and CanonicalUser principals: Kura has no identity
        // provider that could present one.
        return malformed("Invalid principal in policy: \"" + it.key() + "\"");
      }
    }
  } else {
    return malformed("Syntax errors in policy.");
  }
  // The actions of STS that a trust policy may name, as IAM takes them.
  if (given.contains("Action")) {
    auto actions = stringList(given["Action"]);
    if (!actions) return actions.error();
    static constexpr std::string_view kTrustActions[] = {
        "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:DecodeAuthorizationMessage",
        "sts:GetAccessKeyInfo", "sts:GetCallerIdentity", "sts:GetFederationToken", "sts:GetServiceBearerToken",
        "sts:GetSessionToken", "sts:SetSourceIdentity", "sts:TagSession"};
    for (const auto& action : *actions) {
      if (std::find(std::begin(kTrustActions), std::end(kTrustActions), action) == std::end(kTrustActions)) {
        return malformed("Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and "
                         "sts:AssumeRoleWithWebIdentity");
      }
    }
  }
  Json body = given;
  body.erase("Principal");
  body["Resource"] = "*";
  auto parsed = parsePolicyDocument(Json{{"Version", "2012-10-17"}, {"Statement", Json::array({body})}}.dump());
  if (!parsed) return parsed.error();
  statement.body = std::move(*parsed);
  return statement;
}

bool names(const TrustStatement& statement, const TrustCaller& caller) {
  if (statement.anyPrincipal) return true;
  for (const auto& principal : statement.aws) {
    // The account (its id or its root's ARN) names every principal in it.
    if (principal == caller.accountId || principal == "arn:aws:iam::" + caller.accountId + ":root") return true;
    if (std::find(caller.arns.begin(), caller.arns.end(), principal) != caller.arns.end()) return true;
  }
  return false;
}

}  // namespace

Result<TrustPolicy> parseTrustPolicy(std::string_view text) {
  Json document = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return malformed("This policy contains invalid Json");
  if (!document.is_object() || !document.contains("Statement")) return malformed("Syntax errors in policy.");
  for (auto it = document.begin(); it != document.end(); ++it) {
    if (it.key() != "Version" && it.key() != "Statement" && it.key() != "Id") return malformed("Syntax errors in policy.");
  }
  if (document.contains("Version") && document["Version"] != "2012-10-17" && document["Version"] != "2008-10-17") {
    return malformed("The policy failed legacy parsing");
  }
  TrustPolicy policy;
  const Json& statements = document["Statement"];
  for (const Json& given : statements.is_array() ? statements : Json::array({statements})) {
    auto statement = parseStatement(given);
    if (!statement) return statement.error();
    policy.statements.push_back(std::move(*statement));
  }
  if (policy.statements.empty()) return malformed("Syntax errors in policy.");
  return policy;
}

Decision evaluateTrustPolicy(const TrustPolicy& policy, const TrustCaller& caller, const RequestFacts& facts) {
  bool allowed = false;
  for (const auto& statement : policy.statements) {
    if (!names(statement, caller)) continue;
    Decision decision = evaluatePolicies({&statement.body}, facts);
    if (decision == Decision::ExplicitDeny) return decision;
    allowed = allowed || decision == Decision::Allow;
  }
  return allowed ? Decision::Allow : Decision::ImplicitDeny;
}

}  // namespace kura::auth
