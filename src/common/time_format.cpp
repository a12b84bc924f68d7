#include "common/time_format.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <ctime>
#include <optional>

namespace kura {
namespace {

std::tm toUtc(SystemTime t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return utc;
}

bool readDigits(std::string_view text, size_t& pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::string formatIso8601(SystemTime t) {
  std::tm utc = toUtc(t);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  if (millis < 0) millis += 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

std::string formatIso8601Seconds(SystemTime t) {
  // Every API call's trail event formats its time: each thread keeps the
  // text of the last second it formatted.
  thread_local std::optional<std::time_t> lastSecond;
  thread_local std::string lastText;
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  if (seconds != lastSecond) {
    std::tm utc = toUtc(t);
    lastText = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                           utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    lastSecond = seconds;
  }
  return lastText;
}

std::string formatAmzDate(SystemTime t) {
  std::tm utc = toUtc(t);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

double toEpochSeconds(SystemTime t) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return static_cast<double>(millis) / 1000.0;
}

std::optional<SystemTime> parseTimestamp(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // Epoch seconds, possibly fractional.
  if (text.find_first_not_of("0123456789.") == std::string_view::npos) {
    double seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(seconds)) return std::nullopt;
    return SystemTime(std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000))));
  }
  std::tm tm{};
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  bool basic = text.size() >= 8 && text.find('-') == std::string_view::npos;
  if (!readDigits(text, pos, 4, year)) return std::nullopt;
  if (!basic && !expect(text, pos, '-')) return std::nullopt;
  if (!readDigits(text, pos, 2, month)) return std::nullopt;
  if (!basic && !expect(text, pos, '-')) return std::nullopt;
  if (!readDigits(text, pos, 2, day)) return std::nullopt;
  hour = minute = second = 0;
  long long millis = 0;
  int offsetSeconds = 0;
  if (pos < text.size()) {
    if (!expect(text, pos, 'T') && !expect(text, pos, 't') && !expect(text, pos, ' ')) return std::nullopt;
    if (!readDigits(text, pos, 2, hour)) return std::nullopt;
    if (!basic && !expect(text, pos, ':')) return std::nullopt;
    if (!readDigits(text, pos, 2, minute)) return std::nullopt;
    if (!basic && !expect(text, pos, ':')) return std::nullopt;
    if (!readDigits(text, pos, 2, second)) return std::nullopt;
    if (expect(text, pos, '.')) {
      size_t digits = 0;
      long long scale = 100;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 3) millis += (text[pos] - '0') * scale;
        scale /= 10;
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
    }
    if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int sign = text[pos] == '+' ? 1 : -1;
      ++pos;
      int offHour, offMinute;
      if (!readDigits(text, pos, 2, offHour)) return std::nullopt;
      expect(text, pos, ':');
      if (!readDigits(text, pos, 2, offMinute)) return std::nullopt;
      offsetSeconds = sign * (offHour * 3600 + offMinute * 60);
    }
  }
  if (pos != text.size()) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t seconds = timegm(&tm);
  return std::chrono::system_clock::from_time_t(seconds - offsetSeconds) + std::chrono::milliseconds(millis);
}

}  // namespace kura
