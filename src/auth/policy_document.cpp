#include "auth/policy_document.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

namespace kura::auth {
namespace {

using Json = nlohmann::json;

ApiError malformed(std::string message) { return ApiError::sender("MalformedPolicyDocument", std::move(message)); }

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// A member that IAM takes as one string or a list of strings.
Result<std::vector<std::string>> stringList(const Json& value) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
    return out;
  }
  if (!value.is_array()) return malformed("Syntax errors in policy.");
  for (const auto& item : value) {
    if (!item.is_string()) return malformed("Syntax errors in policy.");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// "service:Action" with wildcards, or "*" alone.
bool validAction(const std::string& action) {
  if (action == "*") return true;
  size_t colon = action.find(':');
  return colon != std::string::npos && colon > 0 && colon + 1 < action.size();
}

// An ARN (six colon-separated parts at least) or "*".
bool validResource(const std::string& resource) {
  if (resource == "*") return true;
  return resource.rfind("arn:", 0) == 0 && std::count(resource.begin(), resource.end(), ':') >= 5;
}

// A condition value as IAM compares it: strings, and booleans and numbers
// in their JSON spelling ("true", "42").
std::optional<std::string> conditionValue(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  return std::nullopt;
}

Result<std::vector<PolicyCondition>> parseConditions(const Json& block) {
  if (!block.is_object()) return malformed("Syntax errors in policy.");
  std::vector<PolicyCondition> out;
  for (auto op = block.begin(); op != block.end(); ++op) {
    if (!op.value().is_object()) return malformed("Syntax errors in policy.");
    std::string name = op.key();
    std::string qualifier;
    for (std::string_view set : {"ForAnyValue:", "ForAllValues:"}) {
      if (name.rfind(set, 0) == 0) {
        qualifier = set.substr(0, set.size() - 1);
        name.erase(0, set.size());
      }
    }
    bool ifExists = name.size() > 8 && name.compare(name.size() - 8, 8, "IfExists") == 0;
    if (ifExists) name.resize(name.size() - 8);
    // IAM refuses an operator it does not know when the policy is stored
    // (as a syntax error); Kura refuses those it does not evaluate too
    // (BinaryEquals), rather than store a statement that could never apply.
    if (!knownConditionOperator(name)) return malformed("Syntax errors in policy.");
    for (auto key = op.value().begin(); key != op.value().end(); ++key) {
      PolicyCondition condition{name, ifExists, lower(key.key()), {}, qualifier};
      const Json& values = key.value();
      for (const Json& value : values.is_array() ? values : Json::array({values})) {
        auto text = conditionValue(value);
        if (!text) return malformed("Syntax errors in policy.");
        condition.values.push_back(std::move(*text));
      }
      out.push_back(std::move(condition));
    }
  }
  return out;
}

Result<PolicyStatement> parseStatement(const Json& given) {
  if (!given.is_object()) return malformed("Syntax errors in policy.");
  PolicyStatement statement;
  if (given.contains("Principal") || given.contains("NotPrincipal")) {
    return malformed("Policy document should not specify a principal.");
  }
  for (auto it = given.begin(); it != given.end(); ++it) {
    static const char* known[] = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"};
    if (std::none_of(std::begin(known), std::end(known), [&](const char* name) { return it.key() == name; })) {
      return malformed("Syntax errors in policy.");
    }
  }
  if (given.contains("Sid")) {
    if (!given["Sid"].is_string()) return malformed("Syntax errors in policy.");
    statement.sid = given["Sid"].get<std::string>();
  }
  if (!given.contains("Effect")) return malformed("Missing required field Effect");
  const Json& effect = given["Effect"];
  if (!effect.is_string() || (effect != "Allow" && effect != "Deny")) {
    return malformed("Invalid effect: " + (effect.is_string() ? effect.get<std::string>() : effect.dump()));
  }
  statement.allow = effect == "Allow";

  if (given.contains("Action") == given.contains("NotAction")) {
    return given.contains("Action") ? malformed("Syntax errors in policy.")
                                    : malformed("Policy statement must contain actions.");
  }
  statement.notAction = given.contains("NotAction");
  auto actions = stringList(given[statement.notAction ? "NotAction" : "Action"]);
  if (!actions) return actions.error();
  if (actions->empty()) return malformed("Policy statement must contain actions.");
  for (auto& action : *actions) {
    if (!validAction(action)) return malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    statement.actions.push_back(lower(action));
  }

  if (given.contains("Resource") == given.contains("NotResource")) {
    return given.contains("Resource") ? malformed("Syntax errors in policy.")
                                      : malformed("Policy statement must contain resources.");
  }
  statement.notResource = given.contains("NotResource");
  auto resources = stringList(given[statement.notResource ? "NotResource" : "Resource"]);
  if (!resources) return resources.error();
  if (resources->empty()) return malformed("Policy statement must contain resources.");
  for (auto& resource : *resources) {
    if (!validResource(resource)) return malformed("Resource " + resource + " must be in ARN format or \"*\".");
    statement.resources.push_back(std::move(resource));
  }

  if (given.contains("Condition")) {
    auto conditions = parseConditions(given["Condition"]);
    if (!conditions) return conditions.error();
    statement.conditions = std::move(*conditions);
  }
  return statement;
}

}  // namespace

bool knownConditionOperator(std::string_view op) {
  static constexpr std::string_view kKnown[] = {
      "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
      "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike", "Bool", "IpAddress", "NotIpAddress",
      "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
      "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
      "DateGreaterThan", "DateGreaterThanEquals", "Null"};
  return std::find(std::begin(kKnown), std::end(kKnown), op) != std::end(kKnown);
}

Result<PolicyDocument> parsePolicyDocument(std::string_view text) {
  // Policies are small (IAM keeps them to a few kilobytes): the parser's
  // depth is bounded by the caller's size limit.
  Json document = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return malformed("This policy contains invalid Json");
  if (!document.is_object()) return malformed("Syntax errors in policy.");
  PolicyDocument out;
  out.version = "2008-10-17";  // IAM's default when a document names none
  for (auto it = document.begin(); it != document.end(); ++it) {
    if (it.key() != "Version" && it.key() != "Statement" && it.key() != "Id") {
      return malformed("Syntax errors in policy.");
    }
  }
  if (document.contains("Version")) {
    const Json& version = document["Version"];
    if (!version.is_string() || (version != "2012-10-17" && version != "2008-10-17")) {
      return malformed("The policy failed legacy parsing");
    }
    out.version = version.get<std::string>();
  }
  if (!document.contains("Statement")) return malformed("Syntax errors in policy.");
  const Json& statements = document["Statement"];
  for (const Json& given : statements.is_array() ? statements : Json::array({statements})) {
    auto statement = parseStatement(given);
    if (!statement) return statement.error();
    out.statements.push_back(std::move(*statement));
  }
  if (out.statements.empty()) return malformed("Syntax errors in policy.");
  return out;
}

}  // namespace kura::auth
