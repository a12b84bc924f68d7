// The part of RdsSupervisor that notices when an instance's servers run an
// older executable than the one installed (a package upgrade of PostgreSQL
// or MariaDB since they started: engines/replaced_executable.h) and keeps
// it as the instance's pending "system-update" (state.SystemUpdate), which
// DescribePendingMaintenanceActions shows and ApplyPendingMaintenanceAction
// applies: at once, or in the next maintenance window when opted in for it
// (state.SystemUpdateOptIn "next-maintenance", applied here). Applying it
// restarts the servers on the installed executable (the instance
// controller's reboot: a Multi-AZ instance's standby first, then a
// failover to it). Looked at every ten seconds an instance (two stat(2)s a
// server).
#include <spdlog/spdlog.h>

#include "common/daily_window.h"
#include "common/time_format.h"
#include "rds/rds_supervisor.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

bool RdsSupervisor::watchSystemUpdate(Resource& instance) {
  auto steadyNow = std::chrono::steady_clock::now();
  auto& last = systemUpdateCheckedAt_[instance.arn];
  if (last != std::chrono::steady_clock::time_point{} && steadyNow - last < std::chrono::seconds(10)) return true;
  last = steadyNow;
  // Every server of the instance: a Multi-AZ instance's two nodes.
  std::optional<std::filesystem::path> replaced;
  std::vector<std::string> nodes = isMultiAz(instance) ? std::vector<std::string>{primaryNode(instance), standbyNode(instance)}
                                                       : std::vector<std::string>{""};
  for (const std::string& node : nodes) {
    auto layout = node.empty() ? layoutOf(instance, paths_, secrets_) : nodeLayoutOf(instance, node, paths_, secrets_);
    if (!layout) continue;
    if (auto found = engine_.replacedServerExecutable(*layout)) replaced = found;
  }
  bool noted = instance.state.contains("SystemUpdate");
  if (replaced.has_value() != noted) {
    Resource updated = instance;
    if (replaced) {
      updated.state["SystemUpdate"] = {{"Executable", replaced->string()},
                                       {"Since", toEpochSeconds(clock_->now())}};
      spdlog::info("msg=\"the instance's server runs an older executable than the one installed\" instance={} "
                   "executable={}",
                   instance.name, replaced->string());
      addEvent(instance, "A system update is available: the server runs an older " + replaced->string() +
                             " than the one installed (apply-pending-maintenance-action --apply-action system-update)",
               "maintenance");
    } else {
      updated.state.erase("SystemUpdate");
      updated.state.erase("SystemUpdateOptIn");
    }
    auto stored = catalog_.updateResource(updated);
    if (!stored) return false;  // changed meanwhile: the next pass
    instance = *stored;
  }
  // Opted in for the next window, and the window is open: applied now.
  if (instance.state.contains("SystemUpdate") && instance.state.value("SystemUpdateOptIn", "") == "next-maintenance" &&
      insideWeeklyWindow(instance.spec.value("PreferredMaintenanceWindow", ""), clock_->now())) {
    instance.status = kRebooting;
    instance.state["SystemUpdating"] = true;
    if (auto stored = catalog_.updateResource(instance)) {
      instance = *stored;
      reconciler_.wake();
    }
    return false;
  }
  return true;
}

}  // namespace kura::rds
