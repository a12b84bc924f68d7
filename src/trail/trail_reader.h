#pragma once
// Reads events back from the trail, newest first, for LookupEvents.
#include <filesystem>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

namespace kura {

// Calls `visit(sequence, event)` for each record with a sequence below
// `before` (all when empty), newest first, until it returns false.
void readTrailNewestFirst(const std::filesystem::path& trailDir, std::optional<uint64_t> before,
                          const std::function<bool(uint64_t, const nlohmann::json&)>& visit);

}  // namespace kura
