#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "check/report_formats.h"

namespace kura::check {
namespace {

// The endpoint's names and messages as the terminal shows them: a control
// character (an escape sequence, a carriage return, a newline) would let an
// endpoint redraw or forge the lines around it.
std::string shown(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

std::string formatTable(const CheckReport& report) {
  std::string out;
  size_t ruleWidth = 4, statusWidth = 6;
  for (const RuleResult& result : report.results) {
    ruleWidth = std::max(ruleWidth, result.rule->id.size());
    statusWidth = std::max(statusWidth, outcomeName(result.outcome).size());
  }
  out += fmt::format("{:<{}}  {:<8}  {:<7}  {:<{}}  {}\n", "STATUS", statusWidth, "SEVERITY", "SECTION", "RULE",
                     ruleWidth, "RESOURCE: DETAIL");
  std::map<Outcome, int> counts;
  for (const RuleResult& result : report.results) {
    ++counts[result.outcome];
    out += fmt::format("{:<{}}  {:<8}  {:<7}  {:<{}}  {}: {}\n", outcomeName(result.outcome), statusWidth,
                       severityName(result.rule->severity), result.rule->section, result.rule->id, ruleWidth,
                       shown(result.resource), shown(result.detail));
    if (result.outcome == Outcome::Failed && !result.fix.empty()) {
      out += fmt::format("{:<{}}  fix: {}\n", "", statusWidth, shown(result.fix));
    }
    if (result.outcome == Outcome::Suppressed) {
      out += fmt::format("{:<{}}  suppressed: {}\n", "", statusWidth, shown(result.suppressionReason));
    }
  }
  for (const ExpiredSuppression& suppression : report.expiredSuppressions) {
    out += fmt::format("expired suppression: {} {} (expired {}): {}; it no longer applies\n", suppression.ruleId,
                       suppression.resource.empty() ? "(every resource)" : suppression.resource, suppression.expires,
                       suppression.reason);
  }
  out += fmt::format("{} results: {} passed, {} failed, {} not checkable, {} suppressed ({}, region {})\n",
                     report.results.size(), counts[Outcome::Passed], counts[Outcome::Failed],
                     counts[Outcome::NotCheckable], counts[Outcome::Suppressed], report.endpoint, report.region);
  return out;
}

}  // namespace kura::check
