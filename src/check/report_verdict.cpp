#include "check/report_formats.h"

namespace kura::check {

int verdictExitCode(const CheckReport& report, Severity failOn) {
  for (const RuleResult& result : report.results) {
    if (result.outcome == Outcome::Failed && result.rule->severity >= failOn) return 1;
  }
  return 0;
}

}  // namespace kura::check
