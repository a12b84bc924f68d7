#include "auth/resource_policy.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace kura::auth {
namespace {

using Json = nlohmann::json;

constexpr int kMaxNesting = 16;  // a policy is a few levels deep; a hostile one is not parsed

// Whether brackets outside strings nest at most `limit` deep, read before
// the text is parsed at all.
bool nestsWithin(std::string_view text, int limit) {
  int depth = 0;
  bool inString = false;
  for (size_t at = 0; at < text.size(); ++at) {
    char c = text[at];
    if (inString) {
      if (c == '\\') ++at;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

bool isAccountId(std::string_view text) {
  return text.size() == 12 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// arn:aws:iam::<account>:<rest>, or sts: the account and the rest.
bool splitPrincipalArn(std::string_view arn, std::string_view& service, std::string_view& account,
                       std::string_view& rest) {
  if (!arn.starts_with("arn:aws:")) return false;
  arn.remove_prefix(8);
  size_t colon = arn.find(':');
  if (colon == std::string_view::npos) return false;
  service = arn.substr(0, colon);
  arn.remove_prefix(colon + 1);
  if (!arn.starts_with(':')) return false;  // IAM and STS ARNs have no region
  arn.remove_prefix(1);
  colon = arn.find(':');
  if (colon == std::string_view::npos) return false;
  account = arn.substr(0, colon);
  rest = arn.substr(colon + 1);
  return (service == "iam" || service == "sts") && isAccountId(account) && !rest.empty();
}

Result<bool> addAwsPrincipal(const std::string& value, ResourcePolicyStatement& statement, const std::string& code) {
  if (value == "*") {
    statement.anyone = true;
    return true;
  }
  if (isAccountId(value)) {
    statement.accounts.push_back(value);
    return true;
  }
  std::string_view service, account, rest;
  if (splitPrincipalArn(value, service, account, rest)) {
    if (service == "iam" && rest == "root") {
      statement.accounts.emplace_back(account);
      return true;
    }
    bool known = service == "iam" ? (rest.starts_with("user/") || rest.starts_with("role/"))
                                  : rest.starts_with("assumed-role/");
    if (known) {
      statement.arns.push_back(value);
      return true;
    }
  }
  return ApiError::sender(code, "Policy contains a statement with one or more invalid principals.");
}

Result<bool> parsePrincipal(const Json& given, ResourcePolicyStatement& statement, const std::string& code) {
  auto invalid = [&] { return ApiError::sender(code, "Policy contains a statement with one or more invalid principals."); };
  if (given.is_string()) {
    if (given != "*") return invalid();
    statement.anyone = true;
    return true;
  }
  if (!given.is_object() || given.empty()) return invalid();
  for (auto it = given.begin(); it != given.end(); ++it) {
    const Json& values = it.value();
    for (const Json& value : values.is_array() ? values : Json::array({values})) {
      if (!value.is_string()) return invalid();
      std::string text = value.get<std::string>();
      if (it.key() == "AWS") {
        auto added = addAwsPrincipal(text, statement, code);
        if (!added) return added.error();
      } else if (it.key() == "Service" || it.key() == "Federated" || it.key() == "CanonicalUser") {
        statement.services.push_back(std::move(text));
      } else {
        return invalid();
      }
    }
  }
  return true;
}

// Whether a NotPrincipal leaves the caller out, as AWS evaluates it: each
// principal of the caller's chain must be named, the account first, then
// (a role's session) the role, then the caller itself; so a user named
// without its account, or a session without its role and account, is not
// left out. A principal with a permissions boundary never is.
bool excludedBy(const ResourcePolicyStatement& statement, const Caller& caller, bool accountNamed, bool bounded) {
  if (bounded || statement.anyone) return statement.anyone && !bounded;
  if (!accountNamed) return false;
  if (caller.arn == "arn:aws:iam::" + caller.account + ":root") return true;
  bool self = std::find(statement.arns.begin(), statement.arns.end(), caller.arn) != statement.arns.end();
  if (!self) return false;
  if (caller.arn.find(":assumed-role/") == std::string::npos) return true;
  return std::any_of(statement.arns.begin(), statement.arns.end(), [&](const std::string& arn) {
    return arn.find(":role/") != std::string::npos && principalNames(arn, caller);
  });
}

}  // namespace

Result<ResourcePolicy> parseResourcePolicy(std::string_view text, const std::string& errorCode, size_t maxChars) {
  auto malformed = [&](const std::string& message) { return ApiError::sender(errorCode, message); };
  if (text.size() > maxChars) return malformed("The policy is longer than " + std::to_string(maxChars) + " characters.");
  if (!nestsWithin(text, kMaxNesting)) return malformed("This policy contains invalid Json");
  Json document = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return malformed("This policy contains invalid Json");
  if (!document.is_object() || !document.contains("Statement")) return malformed("Syntax errors in policy.");
  Json version = document.value("Version", Json("2008-10-17"));
  const Json& statements = document["Statement"];
  ResourcePolicy out;
  for (const Json& given : statements.is_array() ? statements : Json::array({statements})) {
    if (!given.is_object()) return malformed("Syntax errors in policy.");
    ResourcePolicyStatement statement;
    bool hasPrincipal = given.contains("Principal"), hasNot = given.contains("NotPrincipal");
    if (hasPrincipal == hasNot) {
      return malformed(hasPrincipal ? "Syntax errors in policy." : "Policy contains a statement with no principal.");
    }
    statement.notPrincipal = hasNot;
    auto principals = parsePrincipal(given[hasNot ? "NotPrincipal" : "Principal"], statement, errorCode);
    if (!principals) return principals.error();
    // The rest of the statement is what an identity policy's is.
    Json rest = given;
    rest.erase(hasNot ? "NotPrincipal" : "Principal");
    Json single = {{"Version", version}, {"Statement", Json::array({rest})}};
    if (document.contains("Id")) single["Id"] = document["Id"];
    auto parsed = parsePolicyDocument(single.dump());
    if (!parsed) return malformed(parsed.error().message);
    statement.document = std::move(*parsed);
    for (const auto& parsedStatement : statement.document.statements) {
      if (!parsedStatement.conditions.empty()) out.usesKeys = true;
      for (const auto& resource : parsedStatement.resources) {
        if (resource.find("${") != std::string::npos) out.usesKeys = true;
      }
    }
    out.statements.push_back(std::move(statement));
  }
  if (out.statements.empty()) return malformed("Syntax errors in policy.");
  return out;
}

bool principalNames(std::string_view principal, const Caller& caller) {
  if (principal == caller.arn) return true;
  std::string_view service, account, rest;
  std::string_view callerService, callerAccount, callerRest;
  if (!splitPrincipalArn(principal, service, account, rest) ||
      !splitPrincipalArn(caller.arn, callerService, callerAccount, callerRest)) {
    return false;
  }
  // A role (with its path) names every session of it.
  if (service != "iam" || !rest.starts_with("role/") || callerService != "sts" || account != callerAccount ||
      !callerRest.starts_with("assumed-role/")) {
    return false;
  }
  std::string_view roleName = rest.substr(rest.rfind('/') + 1);
  std::string_view session = callerRest.substr(13);
  return session.substr(0, session.find('/')) == roleName;
}

ResourcePolicyFinding evaluateResourcePolicy(const ResourcePolicy& policy, const Caller& caller,
                                             const RequestFacts& facts) {
  ResourcePolicyFinding finding;
  bool callerIsRoot = caller.arn == "arn:aws:iam::" + caller.account + ":root";
  for (const auto& statement : policy.statements) {
    bool named = statement.anyone || std::any_of(statement.arns.begin(), statement.arns.end(), [&](const auto& arn) {
                   return principalNames(arn, caller);
                 });
    bool account = std::find(statement.accounts.begin(), statement.accounts.end(), caller.account) !=
                   statement.accounts.end();
    if (callerIsRoot && account) named = true;  // the account principal is the root itself
    if (statement.notPrincipal) {
      named = !excludedBy(statement, caller, account, facts.boundedPrincipal);
      account = false;
    }
    if (!named && !account) continue;
    Decision decision = evaluatePolicies({&statement.document}, facts);
    if (decision == Decision::ExplicitDeny) {
      finding.deny = true;
    } else if (decision == Decision::Allow) {
      (named ? finding.allowCaller : finding.allowAccount) = true;
      bool direct = statement.anyone || statement.notPrincipal || (callerIsRoot && account) ||
                    std::find(statement.arns.begin(), statement.arns.end(), caller.arn) != statement.arns.end();
      if (named && direct) finding.allowCallerDirectly = true;
    }
  }
  return finding;
}

bool callerGranted(const ResourcePolicyFinding& finding, const RequestFacts& facts,
                   const std::function<Decision(const RequestFacts&)>& identity) {
  if (!finding.allowCaller) return false;
  if (finding.allowCallerDirectly || (!facts.limitedSession && !facts.boundedPrincipal)) return true;
  RequestFacts limits = facts;
  limits.limitsOnly = true;
  return identity(limits) == Decision::Allow;
}

}  // namespace kura::auth
