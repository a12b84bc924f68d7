#include "common/daily_window.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

SystemTime at(int hour, int minute) {
  // 2026-11-24 00:00:00 UTC plus the time of day.
  return SystemTime(std::chrono::seconds(1795478400 + hour * 3600 + minute * 60));
}

TEST(DailyWindow, ParsesClockTimes) {
  EXPECT_EQ(parseClock("00:00"), 0);
  EXPECT_EQ(parseClock("23:59"), 23 * 60 + 59);
  EXPECT_FALSE(parseClock("24:00"));
  EXPECT_FALSE(parseClock("2:00"));
  EXPECT_FALSE(parseClock("02:60"));
  EXPECT_FALSE(parseClock("ab:cd"));
}

TEST(DailyWindow, ParsesWindowsAndTheirLength) {
  auto window = parseDailyWindow("02:00-03:30");
  ASSERT_TRUE(window);
  EXPECT_EQ(window->minutes(), 90);
  auto wrapping = parseDailyWindow("23:30-00:30");
  ASSERT_TRUE(wrapping);
  EXPECT_EQ(wrapping->minutes(), 60);
  EXPECT_FALSE(parseDailyWindow("02:00"));
  EXPECT_FALSE(parseDailyWindow("02:00-25:00"));
}

TEST(DailyWindow, TellsWhetherATimeIsInside) {
  EXPECT_TRUE(insideDailyWindow("02:00-03:00", at(2, 0)));
  EXPECT_TRUE(insideDailyWindow("02:00-03:00", at(2, 59)));
  EXPECT_FALSE(insideDailyWindow("02:00-03:00", at(3, 0)));
  EXPECT_FALSE(insideDailyWindow("02:00-03:00", at(1, 59)));
  EXPECT_TRUE(insideDailyWindow("23:30-00:30", at(23, 45)));
  EXPECT_TRUE(insideDailyWindow("23:30-00:30", at(0, 10)));
  EXPECT_FALSE(insideDailyWindow("23:30-00:30", at(12, 0)));
  EXPECT_FALSE(insideDailyWindow("garbage", at(2, 30)));
}

TEST(WeeklyWindow, ParsesDayTimes) {
  EXPECT_EQ(parseWeekClock("sun:00:00"), 0);
  EXPECT_EQ(parseWeekClock("Tue:02:30"), 2 * 1440 + 150);
  EXPECT_FALSE(parseWeekClock("tue 02:30"));
  EXPECT_FALSE(parseWeekClock("xyz:02:30"));
  EXPECT_FALSE(parseWeekClock("tue:24:00"));
}

TEST(WeeklyWindow, TellsWhetherATimeIsInside) {
  // at() is on a Tuesday.
  EXPECT_TRUE(insideWeeklyWindow("tue:02:00-tue:03:00", at(2, 30)));
  EXPECT_FALSE(insideWeeklyWindow("tue:02:00-tue:03:00", at(3, 0)));
  EXPECT_FALSE(insideWeeklyWindow("wed:02:00-wed:03:00", at(2, 30)));
  EXPECT_TRUE(insideWeeklyWindow("mon:23:00-tue:01:00", at(0, 30)));
  EXPECT_TRUE(insideWeeklyWindow("sat:23:00-tue:00:30", at(0, 10)));  // wraps the week
  EXPECT_FALSE(insideWeeklyWindow("sat:23:00-mon:00:30", at(0, 10)));
  EXPECT_FALSE(insideWeeklyWindow("garbage", at(2, 30)));
}

TEST(WeeklyWindow, TellsWhenItNextOpens) {
  // at() is on a Tuesday.
  EXPECT_EQ(nextWeeklyWindowStart("tue:05:00-tue:06:00", at(2, 30)), at(5, 0));
  EXPECT_EQ(nextWeeklyWindowStart("tue:02:00-tue:03:00", at(2, 0)), at(2, 0));
  // Open or passed this week: next week's.
  EXPECT_EQ(nextWeeklyWindowStart("tue:02:00-tue:03:00", at(2, 30)), at(2, 0) + std::chrono::hours(24 * 7));
  EXPECT_EQ(nextWeeklyWindowStart("wed:01:00-wed:02:00", at(2, 30)), at(1, 0) + std::chrono::hours(24));
  EXPECT_EQ(nextWeeklyWindowStart("mon:01:00-mon:02:00", at(2, 30)), at(1, 0) + std::chrono::hours(24 * 6));
  EXPECT_FALSE(nextWeeklyWindowStart("garbage", at(2, 30)));
}

}  // namespace
}  // namespace kura
