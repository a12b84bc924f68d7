#include "main/json_log_sink.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

namespace kura {
namespace {

bool isKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

}  // namespace

std::string jsonLogLine(std::string_view time, std::string_view level, std::string_view payload) {
  nlohmann::ordered_json event = nlohmann::ordered_json::object();
  event["time"] = time;
  event["level"] = level;
  size_t at = 0;
  while (at < payload.size()) {
    while (at < payload.size() && payload[at] == ' ') ++at;
    size_t keyEnd = at;
    while (keyEnd < payload.size() && isKeyChar(payload[keyEnd])) ++keyEnd;
    if (keyEnd == at || keyEnd >= payload.size() || payload[keyEnd] != '=') {
      // Not logfmt from here on: the rest is the message (or its tail).
      std::string rest(payload.substr(at));
      if (!rest.empty()) {
        if (event.contains("msg")) {
          event["msg"] = event["msg"].get<std::string>() + " " + rest;
        } else {
          event["msg"] = rest;
        }
      }
      break;
    }
    std::string key(payload.substr(at, keyEnd - at));
    std::string value;
    at = keyEnd + 1;
    if (at < payload.size() && payload[at] == '"') {
      ++at;
      while (at < payload.size() && payload[at] != '"') {
        if (payload[at] == '\\' && at + 1 < payload.size()) ++at;
        value += payload[at++];
      }
      ++at;  // the closing quote
    } else {
      size_t end = payload.find(' ', at);
      if (end == std::string_view::npos) end = payload.size();
      value = payload.substr(at, end - at);
      at = end;
    }
    if (key == "time" || key == "level") key = "field_" + key;  // never the event's own
    event[key] = std::move(value);
  }
  return event.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void appendLogTime(std::string& out, std::chrono::system_clock::time_point at) {
  auto since = at.time_since_epoch();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since - seconds).count();
  // The second's text kept per thread: most lines fall in the second of
  // the one before.
  thread_local std::time_t cachedSecond = -1;
  thread_local char cachedText[32] = {};
  std::time_t whole = seconds.count();
  if (whole != cachedSecond) {
    std::tm utc{};
    gmtime_r(&whole, &utc);
    std::strftime(cachedText, sizeof cachedText, "%Y-%m-%dT%H:%M:%S", &utc);
    cachedSecond = whole;
  }
  const char millisText[] = {'.', static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                             static_cast<char>('0' + millis % 10), 'Z'};
  out += cachedText;
  out.append(millisText, sizeof millisText);
}

void JsonLogSink::sink_it_(const spdlog::details::log_msg& message) {
  std::string time;
  appendLogTime(time, message.time);
  auto level = spdlog::level::to_string_view(message.level);
  std::string line = jsonLogLine(time, std::string_view(level.data(), level.size()),
                                 std::string_view(message.payload.data(), message.payload.size()));
  line += '\n';
  out_->add(line, /*now=*/true);
}

}  // namespace kura
