// JUnit XML: a testsuite per rule, a testcase per rule and resource; a
// failed result is a <failure>, a not checkable or suppressed one <skipped>.
#include <fmt/format.h>

#include <map>
#include <vector>

#include "check/report_formats.h"
#include "protocol/query_encoder.h"

namespace kura::check {
namespace {

std::string escaped(std::string_view text) {
  std::string out;
  appendXmlEscaped(out, text);
  return out;
}

}  // namespace

std::string formatJunit(const CheckReport& report) {
  std::vector<const Rule*> order;
  std::map<const Rule*, std::vector<const RuleResult*>> byRule;
  int failures = 0, skipped = 0;
  for (const RuleResult& result : report.results) {
    if (!byRule.contains(result.rule)) order.push_back(result.rule);
    byRule[result.rule].push_back(&result);
    failures += result.outcome == Outcome::Failed;
    skipped += result.outcome == Outcome::NotCheckable || result.outcome == Outcome::Suppressed;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"kura check\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                     report.results.size(), failures, skipped);
  for (const Rule* rule : order) {
    const auto& results = byRule[rule];
    int ruleFailures = 0, ruleSkipped = 0;
    for (const RuleResult* result : results) {
      ruleFailures += result->outcome == Outcome::Failed;
      ruleSkipped += result->outcome == Outcome::NotCheckable || result->outcome == Outcome::Suppressed;
    }
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n", escaped(rule->id),
                       results.size(), ruleFailures, ruleSkipped);
    out += fmt::format(
        "    <properties><property name=\"section\" value=\"{}\"/><property name=\"severity\" "
        "value=\"{}\"/></properties>\n",
        escaped(rule->section), severityName(rule->severity));
    for (const RuleResult* result : results) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\">", escaped(rule->id), escaped(result->resource));
      switch (result->outcome) {
        case Outcome::Failed:
          out += fmt::format("<failure type=\"{}\" message=\"{}\">{}</failure>", severityName(rule->severity),
                             escaped(result->detail), escaped("fix: " + result->fix));
          break;
        case Outcome::NotCheckable:
          out += fmt::format("<skipped message=\"not checkable: {}\"/>", escaped(result->detail));
          break;
        case Outcome::Suppressed:
          out += fmt::format("<skipped message=\"suppressed: {}\"/>", escaped(result->suppressionReason));
          break;
        case Outcome::Passed:
          out += fmt::format("<system-out>{}</system-out>", escaped(result->detail));
          break;
      }
      out += "</testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace kura::check
