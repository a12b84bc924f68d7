#include <nlohmann/json.hpp>

#include "check/report_formats.h"

namespace kura::check {

std::string formatJson(const CheckReport& report) {
  nlohmann::json results = nlohmann::json::array();
  nlohmann::json summary = {{"passed", 0}, {"failed", 0}, {"not checkable", 0}, {"suppressed", 0}};
  for (const RuleResult& result : report.results) {
    nlohmann::json entry = {{"rule", result.rule->id},
                            {"section", result.rule->section},
                            {"severity", severityName(result.rule->severity)},
                            {"title", result.rule->title},
                            {"resource", result.resource},
                            {"status", outcomeName(result.outcome)},
                            {"detail", result.detail}};
    if (!result.fix.empty()) entry["fix"] = result.fix;
    if (!result.suppressionReason.empty()) entry["suppression"] = result.suppressionReason;
    results.push_back(std::move(entry));
    summary[std::string(outcomeName(result.outcome))] =
        summary[std::string(outcomeName(result.outcome))].get<int>() + 1;
  }
  nlohmann::json expired = nlohmann::json::array();
  for (const ExpiredSuppression& suppression : report.expiredSuppressions) {
    expired.push_back({{"rule", suppression.ruleId},
                       {"resource", suppression.resource},
                       {"reason", suppression.reason},
                       {"expires", suppression.expires}});
  }
  nlohmann::json document = {{"endpoint", report.endpoint},
                             {"region", report.region},
                             {"summary", summary},
                             {"results", results},
                             {"expiredSuppressions", expired}};
  return document.dump(2) + "\n";
}

}  // namespace kura::check
