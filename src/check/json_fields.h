#pragma once
// Reading members of a decoded answer without trusting its shape: a member
// missing or of another type reads as empty, false or absent.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace kura::check {

std::string textOf(const nlohmann::json& object, std::string_view key);
bool flagOf(const nlohmann::json& object, std::string_view key);
std::optional<long long> numberOf(const nlohmann::json& object, std::string_view key);
// A timestamp as the query protocol writes it (ISO 8601) or the JSON ones do
// (epoch seconds).
std::optional<SystemTime> timeOf(const nlohmann::json& object, std::string_view key);
// The member's array, or an empty one.
const nlohmann::json& listOf(const nlohmann::json& object, std::string_view key);
// Age in whole hours or days, for details.
std::string ageText(SystemTime then, SystemTime now);

}  // namespace kura::check
