#pragma once
// When a pending system update (src/rds/system_update.cpp) is applied
// without anyone asking: RDS applies a required update in the first
// maintenance window after its AutoAppliedAfterDate, opted in or not; Kura
// does the same `--rds-system-update-auto-apply-seconds` after it noticed
// the update (0: never, only when asked). The date is written into the
// record when the update is noticed (state.SystemUpdate.AutoAppliedAfter;
// an update noticed before Kura wrote dates gets one from the pass that
// first sees it), so that a later change of the setting moves no date
// already shown. An opt-in for the next window applies it in the first
// window; undo-opt-in takes that back, not the automatic date. An automatic
// update that could not be applied (state.SystemUpdate.AutoApplyFailed) is
// not tried again by itself: it waits to be asked for, with no date.
#include <chrono>
#include <optional>

#include "catalog/catalog.h"
#include "common/clock.h"

namespace kura::rds {

inline constexpr std::chrono::seconds kDefaultSystemUpdateAutoApply{14 * 24 * 3600};

// The instance's AutoAppliedAfterDate: the one written when its update was
// noticed. None without a pending update, with `autoApply` 0, before the
// date is written, or after an automatic try failed.
std::optional<SystemTime> systemUpdateAutoAppliedAfter(const Resource& instance, std::chrono::seconds autoApply);

// Whether the instance's pending update goes in its maintenance window when
// the window is open: opted in for the next window, or past its
// AutoAppliedAfterDate at `now`.
bool systemUpdateDueInWindow(const Resource& instance, SystemTime now, std::chrono::seconds autoApply);

// Whether the instance's pending update is to be applied in some window
// (opted in, or with an automatic date): an Aurora writer waits for such
// readers of its cluster to go first.
bool systemUpdateScheduled(const Resource& instance, std::chrono::seconds autoApply);

}  // namespace kura::rds
