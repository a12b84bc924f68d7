#pragma once
// Accepted failures: a JSON file of
//   {"suppressions": [{"rule": "rds-multi-az", "resource": "arn:...",
//                      "reason": "staging, single-AZ by design", "expires": "2027-03-31"}]}
// (a bare array works too). Without "resource" it covers every resource of
// the rule. A suppression past its expiry date no longer applies and is
// reported, so that no exception outlives its review.
#include <string>
#include <variant>
#include <vector>

#include "check/rule_result.h"
#include "common/clock.h"

namespace kura::check {

struct Suppression {
  std::string ruleId, resource, reason, expires;  // expires: YYYY-MM-DD, the last day it applies (UTC)
};

// The suppressions, or one sentence saying what is wrong with the text.
std::variant<std::vector<Suppression>, std::string> parseSuppressions(const std::string& text);
std::variant<std::vector<Suppression>, std::string> readSuppressionsFile(const std::string& path);

// Turns the failed results a live suppression covers into Suppressed ones
// and records the expired suppressions in the report.
void applySuppressions(const std::vector<Suppression>& suppressions, SystemTime now, CheckReport& report);

}  // namespace kura::check
