#pragma once
// A check's results written out: a table for people, JSON, JUnit XML (one
// testcase per rule and resource) and SARIF 2.1.0 for CI.
#include <string>
#include <string_view>

#include "check/rule_result.h"
#include "check/severity.h"

namespace kura::check {

std::string formatTable(const CheckReport& report);
std::string formatJson(const CheckReport& report);
std::string formatJunit(const CheckReport& report);
std::string formatSarif(const CheckReport& report);

// 1 when a failed (unsuppressed) result's rule is at or above failOn, else 0.
int verdictExitCode(const CheckReport& report, Severity failOn);

}  // namespace kura::check
