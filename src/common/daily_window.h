#pragma once
// Daily windows as AWS writes them ("02:00-03:00", UTC): backup windows of
// RDS, snapshot windows of ElastiCache; and weekly maintenance windows
// ("sun:05:00-sun:06:00").
#include <optional>
#include <string_view>

#include "common/clock.h"

namespace kura {

// Minutes since midnight of a "hh24:mi" time; empty if malformed.
std::optional<int> parseClock(std::string_view value);
// The window's start and end in minutes since midnight; empty if malformed.
struct DailyWindow {
  int start = 0, end = 0;
  int minutes() const { return (end - start + 1440) % 1440; }
};
std::optional<DailyWindow> parseDailyWindow(std::string_view value);
// True when `now` (UTC) falls inside the window (which may wrap midnight).
bool insideDailyWindow(std::string_view window, SystemTime now);

// Minutes since Sunday midnight of a "ddd:hh24:mi" time (any case); empty if malformed.
std::optional<int> parseWeekClock(std::string_view value);
// True when `now` (UTC) falls inside a "ddd:hh24:mi-ddd:hh24:mi" window
// (which may wrap the week).
bool insideWeeklyWindow(std::string_view window, SystemTime now);
// When the weekly window next opens, from `now` (now itself if it opens
// at this very instant); empty if malformed.
std::optional<SystemTime> nextWeeklyWindowStart(std::string_view window, SystemTime now);

}  // namespace kura
