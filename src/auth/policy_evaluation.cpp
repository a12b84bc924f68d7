#include "auth/policy_evaluation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>

#include "common/time_format.h"

namespace kura::auth {
namespace {

char fold(char c, bool ignoreCase) {
  return ignoreCase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return fold(x, true) == fold(y, true);
         });
}

const std::string* keyValue(const RequestFacts& facts, std::string_view key) {
  auto it = facts.keys.find(key);
  return it == facts.keys.end() ? nullptr : &it->second;
}

// Policy variables (version 2012-10-17): ${aws:username} and the like take
// the request's value; ${*}, ${?} and ${$} stand for the characters.
std::string substituteVariables(const std::string& pattern, const RequestFacts& facts) {
  if (pattern.find("${") == std::string::npos) return pattern;
  std::string out;
  size_t at = 0;
  while (at < pattern.size()) {
    size_t open = pattern.find("${", at);
    size_t close = open == std::string::npos ? std::string::npos : pattern.find('}', open);
    if (close == std::string::npos) {
      out.append(pattern, at, std::string::npos);
      break;
    }
    out.append(pattern, at, open - at);
    std::string name = pattern.substr(open + 2, close - open - 2);
    if (name == "*" || name == "?" || name == "$") {
      out.append(name);  // a literal: matched as the wildcard would be, close enough for a first slice
    } else {
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      // An absent variable matches nothing: a character no ARN holds.
      const std::string* value = keyValue(facts, name);
      out.append(value != nullptr ? *value : std::string("\x01"));
    }
    at = close + 1;
  }
  return out;
}

// --- Addresses ---------------------------------------------------------------

struct Address {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};
};

std::optional<Address> parseAddress(std::string text) {
  Address address;
  if (text.rfind("::ffff:", 0) == 0 && text.find('.') != std::string::npos) text = text.substr(7);
  if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) return address;
  address.v6 = true;
  if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

bool inCidr(const Address& address, const std::string& cidr) {
  size_t slash = cidr.find('/');
  auto network = parseAddress(cidr.substr(0, slash));
  if (!network || network->v6 != address.v6) return false;
  int maxBits = address.v6 ? 128 : 32;
  int bits = maxBits;
  if (slash != std::string::npos) {
    const char* begin = cidr.data() + slash + 1;
    const char* end = cidr.data() + cidr.size();
    auto [stop, ec] = std::from_chars(begin, end, bits);
    if (ec != std::errc() || stop != end || bits < 0 || bits > maxBits) return false;
  }
  for (int bit = 0; bit < bits; ++bit) {
    int mask = 0x80 >> (bit % 8);
    if ((address.bytes[bit / 8] & mask) != (network->bytes[bit / 8] & mask)) return false;
  }
  return true;
}

// --- Numbers and dates -------------------------------------------------------

std::optional<double> parseNumber(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A date as IAM reads one: ISO 8601, or seconds since the epoch.
std::optional<double> parseDate(const std::string& text) {
  if (auto seconds = parseNumber(text)) return seconds;
  if (auto time = parseTimestamp(text)) return toEpochSeconds(*time);
  return std::nullopt;
}

enum class Compare { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual };

bool compare(double a, double b, Compare how) {
  switch (how) {
    case Compare::Equal: return a == b;
    case Compare::NotEqual: return a != b;
    case Compare::Less: return a < b;
    case Compare::LessEqual: return a <= b;
    case Compare::Greater: return a > b;
    case Compare::GreaterEqual: return a >= b;
  }
  return false;
}

std::optional<Compare> comparisonOf(std::string_view suffix) {
  if (suffix == "Equals") return Compare::Equal;
  if (suffix == "NotEquals") return Compare::NotEqual;
  if (suffix == "LessThan") return Compare::Less;
  if (suffix == "LessThanEquals") return Compare::LessEqual;
  if (suffix == "GreaterThan") return Compare::Greater;
  if (suffix == "GreaterThanEquals") return Compare::GreaterEqual;
  return std::nullopt;
}

// --- Conditions --------------------------------------------------------------

// Whether one value of the request matches one value of the condition, for
// the positive form of the operator; empty for an operator Kura does not know.
std::optional<bool> valueMatches(std::string_view op, const std::string& actual, const std::string& expected) {
  if (op == "StringEquals" || op == "StringNotEquals" || op == "ArnEquals" || op == "ArnNotEquals") {
    if (op.rfind("Arn", 0) == 0) return wildcardMatch(expected, actual, false);
    return actual == expected;
  }
  if (op == "StringEqualsIgnoreCase" || op == "StringNotEqualsIgnoreCase") return equalsIgnoreCase(actual, expected);
  if (op == "StringLike" || op == "StringNotLike" || op == "ArnLike" || op == "ArnNotLike") {
    return wildcardMatch(expected, actual, false);
  }
  if (op == "Bool") return equalsIgnoreCase(actual, expected);
  if (op == "IpAddress" || op == "NotIpAddress") {
    auto address = parseAddress(actual);
    return address && inCidr(*address, expected);
  }
  for (std::string_view family : {"Numeric", "Date"}) {
    if (op.rfind(family, 0) != 0) continue;
    auto how = comparisonOf(op.substr(family.size()));
    if (!how) return std::nullopt;
    bool date = family == "Date";
    auto a = date ? parseDate(actual) : parseNumber(actual);
    auto b = date ? parseDate(expected) : parseNumber(expected);
    // NotEquals is negated as a whole below: compare for equality here.
    if (*how == Compare::NotEqual) how = Compare::Equal;
    return a && b && compare(*a, *b, *how);
  }
  return std::nullopt;
}

bool negated(std::string_view op) {
  return op == "StringNotEquals" || op == "StringNotEqualsIgnoreCase" || op == "StringNotLike" ||
         op == "ArnNotEquals" || op == "ArnNotLike" || op == "NotIpAddress" || op == "NumericNotEquals" ||
         op == "DateNotEquals";
}

// The values a request carries for a key: one resource's own keys first
// (its tags), then the request's single-valued keys, then its multi-valued
// ones. Empty: the key is absent.
struct KeyValues {
  const std::string* single = nullptr;
  const std::vector<std::string>* many = nullptr;
  bool absent() const { return single == nullptr && many == nullptr; }
};

KeyValues valuesOf(const RequestFacts& facts, const ConditionKeys* resourceKeys, std::string_view key) {
  if (resourceKeys != nullptr) {
    if (auto it = resourceKeys->find(key); it != resourceKeys->end()) return {&it->second, nullptr};
  }
  if (const std::string* value = keyValue(facts, key)) return {value, nullptr};
  if (auto it = facts.multiKeys.find(key); it != facts.multiKeys.end() && !it->second.empty()) {
    return {nullptr, &it->second};
  }
  return {};
}

bool conditionHolds(const PolicyCondition& condition, const RequestFacts& facts, const ConditionKeys* resourceKeys) {
  KeyValues actual = valuesOf(facts, resourceKeys, condition.key);
  if (condition.op == "Null") {
    // {"Null": {"key": "true"}}: the key is absent.
    if (condition.values.empty()) return false;
    bool wantAbsent = equalsIgnoreCase(condition.values.front(), "true");
    return wantAbsent == actual.absent();
  }
  // Unknown operators never hold, whether the key is there or not.
  if (!valueMatches(condition.op, "", "").has_value()) return false;
  if (actual.absent()) {
    // The set operators on a key the request does not carry: every one of
    // its (no) values matches, none does.
    if (condition.qualifier == "ForAllValues") return true;
    if (condition.qualifier == "ForAnyValue") return false;
    return condition.ifExists || negated(condition.op);
  }
  // Whether one value of the request matches one of the condition's
  // (empty: an operator that cannot compare, which never holds).
  auto matchesOne = [&](const std::string& value) -> std::optional<bool> {
    for (const auto& expected : condition.values) {
      auto match = valueMatches(condition.op, value, substituteVariables(expected, facts));
      if (!match) return std::nullopt;
      if (*match) return true;
    }
    return false;
  };
  bool isNegated = negated(condition.op);
  if (actual.single != nullptr) {
    auto match = matchesOne(*actual.single);
    if (!match) return false;
    return isNegated ? !*match : *match;
  }
  // Several values: each holds when it matches (a negated operator: when
  // it matches none of the condition's values).
  bool all = true, any = false, anyMatch = false;
  for (const auto& value : *actual.many) {
    auto match = matchesOne(value);
    if (!match) return false;
    anyMatch = anyMatch || *match;
    bool holds = isNegated ? !*match : *match;
    all = all && holds;
    any = any || holds;
  }
  if (condition.qualifier == "ForAllValues") return all;
  if (condition.qualifier == "ForAnyValue") return any;
  return isNegated ? !anyMatch : anyMatch;
}

bool matchesAny(const std::vector<std::string>& patterns, std::string_view text, bool ignoreCase,
                const RequestFacts* variables) {
  for (const auto& pattern : patterns) {
    if (variables != nullptr && pattern.find("${") != std::string::npos) {
      if (wildcardMatch(substituteVariables(pattern, *variables), text, ignoreCase)) return true;
    } else if (wildcardMatch(pattern, text, ignoreCase)) {
      return true;
    }
  }
  return false;
}

const ConditionKeys* resourceKeysOf(const RequestFacts& facts, const std::string& resource) {
  if (facts.resourceKeys.empty()) return nullptr;
  auto it = facts.resourceKeys.find(resource);
  return it == facts.resourceKeys.end() ? nullptr : &it->second;
}

bool statementApplies(const PolicyStatement& statement, const PolicyDocument& policy, const RequestFacts& facts,
                      const std::string& resource) {
  bool action = matchesAny(statement.actions, facts.action, true, nullptr);
  if (action == statement.notAction) return false;
  const RequestFacts* variables = policy.version == "2012-10-17" ? &facts : nullptr;
  bool named = matchesAny(statement.resources, resource, false, variables);
  if (named == statement.notResource) return false;
  if (statement.conditions.empty()) return true;
  const ConditionKeys* resourceKeys = resourceKeysOf(facts, resource);
  return std::all_of(statement.conditions.begin(), statement.conditions.end(), [&](const PolicyCondition& condition) {
    return conditionHolds(condition, facts, resourceKeys);
  });
}

Decision evaluateOne(const std::vector<const PolicyDocument*>& policies, const RequestFacts& facts,
                     const std::string& resource) {
  bool allowed = false;
  for (const PolicyDocument* policy : policies) {
    for (const auto& statement : policy->statements) {
      if (!statementApplies(statement, *policy, facts, resource)) continue;
      if (!statement.allow) return Decision::ExplicitDeny;
      allowed = true;
    }
  }
  return allowed ? Decision::Allow : Decision::ImplicitDeny;
}

}  // namespace

bool wildcardMatch(std::string_view pattern, std::string_view text, bool ignoreCase) {
  // Iterative glob with one backtrack point: linear in practice, never
  // exponential on patterns of many stars.
  size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    // A star is a wildcard before it is a character: tested first, or a '*'
    // in the text (an S3 key's) would be taken as matching it literally.
    if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starT = t;
    } else if (p < pattern.size() &&
               (pattern[p] == '?' || fold(pattern[p], ignoreCase) == fold(text[t], ignoreCase))) {
      ++p;
      ++t;
    } else if (starP != std::string_view::npos) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Decision explainPolicies(const std::vector<const PolicyDocument*>& policies, const RequestFacts& facts,
                         std::vector<StatementRef>* matched) {
  const std::string resource = facts.resources.empty() ? "*" : facts.resources.front();
  std::vector<StatementRef> allows, denies;
  for (size_t p = 0; p < policies.size(); ++p) {
    for (size_t s = 0; s < policies[p]->statements.size(); ++s) {
      const auto& statement = policies[p]->statements[s];
      if (!statementApplies(statement, *policies[p], facts, resource)) continue;
      (statement.allow ? allows : denies).push_back({p, s});
    }
  }
  Decision decision = !denies.empty() ? Decision::ExplicitDeny : !allows.empty() ? Decision::Allow
                                                                                 : Decision::ImplicitDeny;
  if (matched != nullptr) *matched = decision == Decision::ExplicitDeny ? denies : allows;
  return decision;
}

Decision evaluatePolicies(const std::vector<const PolicyDocument*>& policies, const RequestFacts& facts,
                          std::string* deniedResource) {
  static const std::vector<std::string> kAnyResource{"*"};
  const auto& resources = facts.resources.empty() ? kAnyResource : facts.resources;
  Decision result = Decision::Allow;
  for (const auto& resource : resources) {
    Decision decision = evaluateOne(policies, facts, resource);
    if (decision == Decision::Allow) continue;
    if (result == Decision::Allow || decision == Decision::ExplicitDeny) {
      if (deniedResource != nullptr) *deniedResource = resource;
      result = decision;
    }
    if (decision == Decision::ExplicitDeny) break;
  }
  return result;
}

}  // namespace kura::auth
