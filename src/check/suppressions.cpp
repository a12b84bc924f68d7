#include "check/suppressions.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/time_format.h"

namespace kura::check {
namespace {

bool isDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  return parseTimestamp(text + "T00:00:00Z").has_value();
}

}  // namespace

std::variant<std::vector<Suppression>, std::string> parseSuppressions(const std::string& text) {
  nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded()) return std::string("the suppressions file is not JSON");
  const nlohmann::json* list = &document;
  if (document.is_object()) {
    auto it = document.find("suppressions");
    if (it == document.end()) return std::string("the suppressions file has no \"suppressions\" list");
    list = &*it;
  }
  if (!list->is_array()) return std::string("\"suppressions\" is not a list");
  std::vector<Suppression> out;
  for (size_t index = 0; index < list->size(); ++index) {
    const nlohmann::json& entry = (*list)[index];
    std::string where = "suppression " + std::to_string(index + 1);
    if (!entry.is_object()) return where + " is not an object";
    auto text = [&](const char* key) {
      auto it = entry.find(key);
      return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    Suppression suppression{text("rule"), text("resource"), text("reason"), text("expires")};
    if (suppression.ruleId.empty()) return where + " names no rule";
    if (findRule(suppression.ruleId) == nullptr) return where + " names an unknown rule " + suppression.ruleId;
    if (suppression.reason.empty()) return where + " gives no reason";
    if (!isDate(suppression.expires)) return where + " has no expiry date (YYYY-MM-DD)";
    out.push_back(std::move(suppression));
  }
  return out;
}

std::variant<std::vector<Suppression>, std::string> readSuppressionsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "cannot read " + path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parseSuppressions(buffer.str());
}

void applySuppressions(const std::vector<Suppression>& suppressions, SystemTime now, CheckReport& report) {
  std::string today = formatIso8601Seconds(now).substr(0, 10);
  for (const Suppression& suppression : suppressions) {
    if (suppression.expires < today) {  // ISO dates compare as text
      report.expiredSuppressions.push_back(
          {suppression.ruleId, suppression.resource, suppression.reason, suppression.expires});
      continue;
    }
    for (RuleResult& result : report.results) {
      if (result.outcome != Outcome::Failed || result.rule->id != suppression.ruleId) continue;
      if (!suppression.resource.empty() && suppression.resource != result.resource) continue;
      result.outcome = Outcome::Suppressed;
      result.suppressionReason = suppression.reason + " (until " + suppression.expires + ")";
    }
  }
}

}  // namespace kura::check
