#include "check/json_fields.h"

#include <fmt/format.h>

#include "common/time_format.h"

namespace kura::check {
namespace {

const nlohmann::json* member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

std::string textOf(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

bool flagOf(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* value = member(object, key);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

std::optional<long long> numberOf(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* value = member(object, key);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return value->get<long long>();
}

std::optional<SystemTime> timeOf(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number()) {
    auto millis = static_cast<long long>(value->get<double>() * 1000.0);
    return SystemTime(std::chrono::milliseconds(millis));
  }
  if (value->is_string()) return parseTimestamp(value->get<std::string>());
  return std::nullopt;
}

const nlohmann::json& listOf(const nlohmann::json& object, std::string_view key) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const nlohmann::json* value = member(object, key);
  return value != nullptr && value->is_array() ? *value : kEmpty;
}

std::string ageText(SystemTime then, SystemTime now) {
  auto hours = std::chrono::duration_cast<std::chrono::hours>(now - then).count();
  if (hours < 48) return fmt::format("{} hours", hours);
  return fmt::format("{} days", hours / 24);
}

}  // namespace kura::check
