#pragma once
// How much a failed rule matters; --fail-on picks the lowest that fails a run.
#include <optional>
#include <string_view>

namespace kura::check {

enum class Severity { Low = 0, Medium = 1, High = 2, Critical = 3 };

std::string_view severityName(Severity severity);  // "low", ..., "critical"
std::optional<Severity> parseSeverity(std::string_view name);

}  // namespace kura::check
