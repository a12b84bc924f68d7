#pragma once
// When a pending system update (src/rds/system_update.cpp) is applied
// without anyone asking: RDS applies a required update in the first
// maintenance window after its AutoAppliedAfterDate, opted in or not; Kura
// does the same `--rds-system-update-auto-apply-seconds` after it noticed
// the update (0: never, only when asked). An opt-in for the next window
// applies it in the first window; undo-opt-in takes that back, not the
// automatic date.
#include <chrono>
#include <optional>

#include "catalog/catalog.h"
#include "common/clock.h"

namespace kura::rds {

inline constexpr std::chrono::seconds kDefaultSystemUpdateAutoApply{14 * 24 * 3600};

// The instance's AutoAppliedAfterDate: when its pending update was noticed
// (state.SystemUpdate.Since) plus `autoApply`. None without a pending
// update, or when `autoApply` is 0.
std::optional<SystemTime> systemUpdateAutoAppliedAfter(const Resource& instance, std::chrono::seconds autoApply);

// Whether the instance's pending update goes in its maintenance window when
// the window is open: opted in for the next window, or past its
// AutoAppliedAfterDate at `now`.
bool systemUpdateDueInWindow(const Resource& instance, SystemTime now, std::chrono::seconds autoApply);

}  // namespace kura::rds
