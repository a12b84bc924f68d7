#pragma once
// Modifications held for a resource's weekly maintenance window, as RDS and
// ElastiCache keep them: state.PendingMaintenance, member -> value, shown
// in PendingModifiedValues, applied when PreferredMaintenanceWindow opens.
#include <functional>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "common/clock.h"

namespace kura {

// A Modify call's members among `names` wait for the window unless
// `immediately` (or `waits` says this one does not): they leave `in` and
// join the resource's pending ones (one asking for the value the resource
// has drops any pending one). An immediate call takes what was pending
// into `in` too (its own values first).
void holdForMaintenanceWindow(nlohmann::json& in, Resource& resource, const std::vector<std::string>& names,
                              bool immediately, const std::function<bool(const std::string&)>& waits = nullptr);

// Applies a resource's pending modifications when its window is open at
// `now`: each is handed to `apply` (false: not now, it stays pending);
// without `apply`, the spec member takes the value. Returns the names
// applied, in order; none: the record is unchanged.
using PendingApply = std::function<bool(Resource&, const std::string&, const nlohmann::json&)>;
std::vector<std::string> applyPendingMaintenance(Resource& resource, SystemTime now,
                                                 const PendingApply& apply = nullptr);

}  // namespace kura
