#include "services/secretsmanager/rotation_schedule.h"

#include <regex>

namespace kura::secrets {
namespace {

using Json = nlohmann::json;

constexpr int64_t kHourMs = 3600LL * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

ApiError invalid(const std::string& message) { return ApiError::sender("InvalidParameterException", message); }

// rate(N days) or rate(N hours): the period; empty for anything else.
std::optional<int64_t> ratePeriodMs(const std::string& expression) {
  static const std::regex rate(R"(rate\(\s*([0-9]{1,4})\s+(day|days|hour|hours)\s*\))");
  std::smatch match;
  if (!std::regex_match(expression, match, rate)) return std::nullopt;
  int64_t count = std::stoll(match[1].str());
  return count * (match[2].str().starts_with("day") ? kDayMs : kHourMs);
}

}  // namespace

Json defaultOwnedRotationRules() { return {{"AutomaticallyAfterDays", kOwnedRotationDays}}; }

Result<Json> checkRotationRules(const Json& rules) {
  if (!rules.is_object()) return invalid("RotationRules must be a structure.");
  bool days = rules.contains("AutomaticallyAfterDays"), expression = rules.contains("ScheduleExpression");
  if (days && expression) {
    return invalid("You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.");
  }
  if (!days && !expression) return invalid("RotationRules needs AutomaticallyAfterDays or a ScheduleExpression.");
  Json out = Json::object();
  if (days) {
    const Json& value = rules["AutomaticallyAfterDays"];
    if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 1000) {
      return invalid("AutomaticallyAfterDays must be between 1 and 1000.");
    }
    out["AutomaticallyAfterDays"] = value;
  } else {
    std::string text = rules["ScheduleExpression"].is_string() ? rules["ScheduleExpression"].get<std::string>() : "";
    auto period = ratePeriodMs(text);
    if (!period) {
      return invalid("Kura supports rate() schedule expressions only, as rate(N days) or rate(N hours): " + text);
    }
    if (*period < 4 * kHourMs || *period > 1000 * kDayMs) {
      return invalid("The schedule expression's rate must be between 4 hours and 1000 days.");
    }
    out["ScheduleExpression"] = text;
  }
  if (rules.contains("Duration")) out["Duration"] = rules["Duration"];
  return out;
}

std::optional<int64_t> rotationPeriodMs(const Json& rules) {
  if (!rules.is_object()) return std::nullopt;
  if (rules.contains("AutomaticallyAfterDays")) return rules["AutomaticallyAfterDays"].get<int64_t>() * kDayMs;
  if (rules.contains("ScheduleExpression")) return ratePeriodMs(rules["ScheduleExpression"].get<std::string>());
  return std::nullopt;
}

std::optional<int64_t> nextRotationMs(const SecretRecord& secret) {
  if (!secret.rotationEnabled) return std::nullopt;
  auto period = rotationPeriodMs(secret.rotationRules);
  if (!period) return std::nullopt;
  return secret.lastRotatedMs.value_or(secret.createdMs) + *period;
}

}  // namespace kura::secrets
