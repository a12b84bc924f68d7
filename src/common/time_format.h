#pragma once
// Timestamps as AWS writes them.
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace kura {

std::string formatIso8601(SystemTime t);        // 2026-11-24T03:12:45.123Z
std::string formatIso8601Seconds(SystemTime t); // 2026-11-24T03:12:45Z
std::string formatAmzDate(SystemTime t);        // 20261124T031245Z (SigV4)
double toEpochSeconds(SystemTime t);            // JSON protocols' timestamps
// Parses ISO 8601 (with or without fraction, Z or +hh:mm), the SigV4 basic
// form and epoch seconds. Empty on anything else.
std::optional<SystemTime> parseTimestamp(std::string_view text);

}  // namespace kura
