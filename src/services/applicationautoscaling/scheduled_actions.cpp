#include "services/applicationautoscaling/scheduled_actions.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>

#include <spdlog/spdlog.h>

#include "common/time_format.h"
#include "services/applicationautoscaling/target_tracking_scaler.h"

namespace kura {
namespace {

ApiError invalidSchedule(const std::string& schedule) {
  return ApiError::sender("ValidationException", "Invalid schedule expression: " + schedule);
}

bool inside(const std::string& text, const char* prefix, std::string& body) {
  size_t n = std::char_traits<char>::length(prefix);
  if (!text.starts_with(prefix) || !text.ends_with(")")) return false;
  body = text.substr(n, text.size() - n - 1);
  return true;
}

// at(...): epoch seconds; nullopt when malformed.
std::optional<double> atTime(const std::string& body) {
  std::tm tm{};
  int consumed = 0;
  if (body.size() != 19 || std::sscanf(body.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 59) {
    return std::nullopt;
  }
  return static_cast<double>(timegm(&tm));
}

// rate(...): seconds of AWS's clock; nullopt when malformed.
std::optional<double> rateSeconds(const std::string& body) {
  std::istringstream in(body);
  int64_t value = 0;
  std::string unit, rest;
  if (!(in >> value >> unit) || (in >> rest) || value < 1) return std::nullopt;
  if (unit == "minute" || unit == "minutes") return value * 60.0;
  if (unit == "hour" || unit == "hours") return value * 3600.0;
  if (unit == "day" || unit == "days") return value * 86400.0;
  return std::nullopt;
}

// One cron field against a value: *, ?, n, a-b, */s, a-b/s, and lists of them.
std::optional<bool> cronField(const std::string& field, int value) {
  bool matched = false;
  std::stringstream parts(field);
  std::string part;
  while (std::getline(parts, part, ',')) {
    int step = 1;
    if (size_t slash = part.find('/'); slash != std::string::npos) {
      try {
        step = std::stoi(part.substr(slash + 1));
      } catch (...) {
        return std::nullopt;
      }
      if (step < 1) return std::nullopt;
      part = part.substr(0, slash);
    }
    int low = 0, high = 1 << 30;
    if (part != "*" && part != "?") {
      try {
        size_t dash = part.find('-');
        low = std::stoi(part.substr(0, dash));
        high = dash == std::string::npos ? low : std::stoi(part.substr(dash + 1));
      } catch (...) {
        return std::nullopt;
      }
    }
    if (value >= low && value <= high && (value - (part == "*" || part == "?" ? 0 : low)) % step == 0) matched = true;
  }
  return matched;
}

std::optional<bool> cronMatches(const std::string& body, double at) {
  std::istringstream in(body);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  if (fields.size() != 6) return std::nullopt;
  auto seconds = static_cast<time_t>(at);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  int values[6] = {tm.tm_min, tm.tm_hour, tm.tm_mday, tm.tm_mon + 1, tm.tm_wday + 1, tm.tm_year + 1900};
  bool all = true;
  for (size_t i = 0; i < 6; ++i) {
    auto matched = cronField(fields[i], values[i]);
    if (!matched) return std::nullopt;
    all = all && *matched;
  }
  return all;
}

}  // namespace

Result<bool> checkSchedule(const Json& action) {
  std::string schedule = action.value("Schedule", ""), body;
  std::string zone = action.value("Timezone", "UTC");
  if (zone != "UTC" && zone != "Etc/UTC" && zone != "GMT" && zone != "Etc/GMT") {
    return ApiError::sender("ValidationException", "Kura runs scheduled actions in UTC only: Timezone " + zone +
                                                       " is not supported");
  }
  if (inside(schedule, "at(", body)) return atTime(body) ? Result<bool>(true) : Result<bool>(invalidSchedule(schedule));
  if (inside(schedule, "rate(", body)) {
    return rateSeconds(body) ? Result<bool>(true) : Result<bool>(invalidSchedule(schedule));
  }
  if (inside(schedule, "cron(", body)) {
    return cronMatches(body, 0) ? Result<bool>(true) : Result<bool>(invalidSchedule(schedule));
  }
  return invalidSchedule(schedule);
}

bool ScheduledActionRunner::due(const Json& action, double now) const {
  if (action.contains("StartTime") && now < action["StartTime"].get<double>()) return false;
  if (action.contains("EndTime") && now > action["EndTime"].get<double>()) return false;
  std::string schedule = action.value("Schedule", ""), body;
  double last = action.value("_lastRun", 0.0);
  if (inside(schedule, "at(", body)) {
    auto at = atTime(body);
    return at && now >= *at && last == 0;
  }
  if (inside(schedule, "rate(", body)) {
    auto interval = rateSeconds(body);
    double from = last > 0 ? last : action.value("StartTime", action.value("CreationTime", now));
    return interval && now - from >= times_.seconds(*interval);
  }
  if (inside(schedule, "cron(", body)) {
    auto matches = cronMatches(body, now);
    return matches && *matches && std::floor(last / 60) != std::floor(now / 60);
  }
  return false;
}

void ScheduledActionRunner::pass() {
  double now = toEpochSeconds(clock_->now());
  for (auto& [key, action] : store_.scheduledActions("", "", "")) {
    try {
      if (due(action, now)) run(key, action, now);
    } catch (const std::exception& error) {
      spdlog::error("msg=\"scheduled action failed\" resource={} action={} error=\"{}\"", key.resourceId,
                    action.value("ScheduledActionName", ""), error.what());
    }
  }
}

void ScheduledActionRunner::run(const TargetKey& key, Json action, double now) {
  auto registered = store_.target(key);
  auto target = parseScalableTarget(key.nameSpace, key.resourceId, key.dimension);
  if (!registered || !target) return;
  if (registered->value("SuspendedState", Json::object()).value("ScheduledScalingSuspended", false)) return;
  const Json range = action.value("ScalableTargetAction", Json::object());
  Json updated = *registered;
  if (range.contains("MinCapacity")) updated["MinCapacity"] = range["MinCapacity"];
  if (range.contains("MaxCapacity")) updated["MaxCapacity"] = range["MaxCapacity"];
  int64_t minimum = updated["MinCapacity"], maximum = updated["MaxCapacity"];
  if (minimum > maximum) return;
  store_.putTarget(key, updated);
  auto current = capacity_.current(key.account, key.region, *target);
  if (current && (*current < minimum || *current > maximum)) {
    int64_t wanted = *current < minimum ? minimum : maximum;
    std::string word = capacityNoun(*target);
    Json activity = scalingActivity(key, "Setting " + word + " to " + std::to_string(wanted) + ".",
                                    "scheduled action name " + action.value("ScheduledActionName", "") +
                                        " was triggered",
                                    now);
    store_.putActivity(key, activity);
    auto set = capacity_.set(key.account, key.region, *target, wanted);
    activity["EndTime"] = toEpochSeconds(clock_->now());
    activity["StatusCode"] = set ? "Successful" : "Failed";
    activity["StatusMessage"] = set ? "Successfully set " + word + " to " + std::to_string(wanted) +
                                          ". Change successfully fulfilled by " + key.nameSpace + "."
                                    : "Failed to set " + word + " to " + std::to_string(wanted) +
                                          ". Reason: " + set.error().message;
    store_.putActivity(key, activity);
  }
  action["_lastRun"] = now;
  store_.putScheduledAction(key, action.value("ScheduledActionName", ""), action);
}

}  // namespace kura
