// SARIF 2.1.0: every rule of the catalogue in tool.driver.rules, one result
// per rule and resource with its level (critical and high: error, medium:
// warning, low: note), passed results as kind "pass", not checkable ones as
// kind "open", suppressed ones with an external suppression.
#include <nlohmann/json.hpp>

#include "check/report_formats.h"

namespace kura::check {
namespace {

std::string_view levelOf(Severity severity) {
  switch (severity) {
    case Severity::Critical:
    case Severity::High:
      return "error";
    case Severity::Medium:
      return "warning";
    case Severity::Low:
      return "note";
  }
  return "warning";
}

}  // namespace

std::string formatSarif(const CheckReport& report) {
  nlohmann::json rules = nlohmann::json::array();
  const auto& catalog = ruleCatalog();
  for (const Rule& rule : catalog) {
    rules.push_back({{"id", rule.id},
                     {"name", rule.id},
                     {"shortDescription", {{"text", rule.title}}},
                     {"fullDescription",
                      {{"text", std::string(rule.title) + " (runbook section " + std::string(rule.section) + ")"}}},
                     {"help", {{"text", "Fix: " + std::string(rule.fixSummary)}}},
                     {"defaultConfiguration", {{"level", levelOf(rule.severity)}}},
                     {"properties", {{"section", rule.section}, {"severity", severityName(rule.severity)}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const RuleResult& result : report.results) {
    size_t index = static_cast<size_t>(result.rule - catalog.data());
    nlohmann::json entry = {
        {"ruleId", result.rule->id},
        {"ruleIndex", index},
        {"message", {{"text", result.detail}}},
        {"locations",
         nlohmann::json::array({{{"logicalLocations", nlohmann::json::array({{{"fullyQualifiedName", result.resource},
                                                                              {"kind", "resource"}}})}}})},
        {"properties", {{"section", result.rule->section}, {"status", outcomeName(result.outcome)}}}};
    switch (result.outcome) {
      case Outcome::Passed:
        entry["kind"] = "pass";
        entry["level"] = "none";
        break;
      case Outcome::NotCheckable:
        entry["kind"] = "open";
        entry["level"] = "none";
        break;
      case Outcome::Failed:
      case Outcome::Suppressed:
        entry["kind"] = "fail";
        entry["level"] = levelOf(result.rule->severity);
        // SARIF's "fixes" describe file edits; a command goes in the properties.
        if (!result.fix.empty()) entry["properties"]["fix"] = result.fix;
        break;
    }
    if (result.outcome == Outcome::Suppressed) {
      entry["suppressions"] =
          nlohmann::json::array({{{"kind", "external"}, {"justification", result.suppressionReason}}});
    }
    results.push_back(std::move(entry));
  }
  nlohmann::json document = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", nlohmann::json::array(
                   {{{"tool", {{"driver", {{"name", "kura check"}, {"rules", rules}}}}}, {"results", results}}})}};
  return document.dump(2) + "\n";
}

}  // namespace kura::check
