#pragma once
// What a rule found on one resource.
#include <string>
#include <vector>

#include "check/rule.h"

namespace kura::check {

enum class Outcome {
  Passed,
  Failed,
  NotCheckable,  // the endpoint does not implement or refused what the rule reads
  Suppressed,    // failed, but a suppression with a reason and an expiry covers it
};

std::string_view outcomeName(Outcome outcome);  // "passed", "failed", "not checkable", "suppressed"

struct RuleResult {
  const Rule* rule = nullptr;
  std::string resource;  // the ARN (or id) looked at
  Outcome outcome = Outcome::NotCheckable;
  std::string detail;  // what was seen, one sentence
  std::string fix;     // the exact command, for failed results
  std::string suppressionReason;
};

struct ExpiredSuppression {
  std::string ruleId, resource, reason, expires;
};

struct CheckReport {
  std::string endpoint, region;
  std::vector<RuleResult> results;
  std::vector<ExpiredSuppression> expiredSuppressions;
};

}  // namespace kura::check
