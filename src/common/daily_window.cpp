#include "common/daily_window.h"

#include <cctype>
#include <ctime>

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

}  // namespace kura
