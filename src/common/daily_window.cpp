#include "common/daily_window.h"

#include <cctype>
#include <ctime>
#include <string>

namespace kura {

std::optional<int> parseClock(std::string_view value) {
  if (value.size() != 5 || value[2] != ':' || !std::isdigit(static_cast<unsigned char>(value[0])) ||
      !std::isdigit(static_cast<unsigned char>(value[1])) || !std::isdigit(static_cast<unsigned char>(value[3])) ||
      !std::isdigit(static_cast<unsigned char>(value[4]))) {
    return std::nullopt;
  }
  int hour = (value[0] - '0') * 10 + (value[1] - '0');
  int minute = (value[3] - '0') * 10 + (value[4] - '0');
  if (hour > 23 || minute > 59) return std::nullopt;
  return hour * 60 + minute;
}

std::optional<DailyWindow> parseDailyWindow(std::string_view value) {
  size_t dash = value.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto start = parseClock(value.substr(0, dash));
  auto end = parseClock(value.substr(dash + 1));
  if (!start || !end) return std::nullopt;
  return DailyWindow{*start, *end};
}

bool insideDailyWindow(std::string_view window, SystemTime now) {
  auto parsed = parseDailyWindow(window);
  if (!parsed) return false;
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  int minute = utc.tm_hour * 60 + utc.tm_min;
  return parsed->start <= parsed->end ? (minute >= parsed->start && minute < parsed->end)
                                      : (minute >= parsed->start || minute < parsed->end);
}

std::optional<int> parseWeekClock(std::string_view value) {
  static constexpr std::string_view kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  if (value.size() != 9 || value[3] != ':') return std::nullopt;
  std::string day;
  for (char c : value.substr(0, 3)) day += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int index = 0; index < 7; ++index) {
    if (kDays[index] != day) continue;
    auto clock = parseClock(value.substr(4));
    if (!clock) return std::nullopt;
    return index * 1440 + *clock;
  }
  return std::nullopt;
}

bool insideWeeklyWindow(std::string_view window, SystemTime now) {
  size_t dash = window.find('-');
  if (dash == std::string_view::npos) return false;
  auto start = parseWeekClock(window.substr(0, dash));
  auto end = parseWeekClock(window.substr(dash + 1));
  if (!start || !end) return false;
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  int minute = utc.tm_wday * 1440 + utc.tm_hour * 60 + utc.tm_min;
  return *start <= *end ? (minute >= *start && minute < *end) : (minute >= *start || minute < *end);
}

std::optional<SystemTime> nextWeeklyWindowStart(std::string_view window, SystemTime now) {
  size_t dash = window.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto start = parseWeekClock(window.substr(0, dash));
  if (!start || !parseWeekClock(window.substr(dash + 1))) return std::nullopt;
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  int minute = utc.tm_wday * 1440 + utc.tm_hour * 60 + utc.tm_min;
  int ahead = (*start - minute + 10080) % 10080;  // minutes to the next start (0: it starts this minute)
  auto thisMinute = std::chrono::floor<std::chrono::minutes>(now);
  if (ahead == 0 && thisMinute < now) ahead = 10080;  // this minute's start has passed: next week's
  return SystemTime(thisMinute + std::chrono::minutes(ahead));
}

}  // namespace kura
