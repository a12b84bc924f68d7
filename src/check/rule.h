#pragma once
// A rule of the runbook's checklist: what it demands, where the runbook
// says so, how much a failure matters and how it is fixed in general (each
// result carries the exact command for its resource).
#include <string_view>
#include <vector>

#include "check/severity.h"

namespace kura::check {

struct Rule {
  std::string_view id;       // "rds-multi-az"
  std::string_view section;  // the runbook's section, "1.1"
  Severity severity;
  std::string_view title;  // what a passing resource has
  std::string_view fixSummary;
};

// Every rule, in the order reports list them (docs/check.md documents each).
const std::vector<Rule>& ruleCatalog();
const Rule* findRule(std::string_view id);

}  // namespace kura::check
