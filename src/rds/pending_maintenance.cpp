// The part of RdsSupervisor that applies, when an instance's weekly
// maintenance window opens, the modifications ModifyDBInstance held for it:
// as an immediate modification would. The instance class and storage are
// recorded (Kura does not size engines by them), backups are turned on or
// off, and a Multi-AZ change is handed to the controller (status
// modifying), which converts the instance.
#include <spdlog/spdlog.h>

#include "common/daily_window.h"
#include "rds/rds_supervisor.h"
#include "services/rds/multi_az_change.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

bool RdsSupervisor::startPendingMaintenance(Resource& instance, SystemTime now) {
  if (!instance.state.contains("PendingMaintenance") ||
      !insideWeeklyWindow(instance.spec.value("PreferredMaintenanceWindow", ""), now)) {
    return false;
  }
  Resource updated = instance;
  const nlohmann::json pending = instance.state["PendingMaintenance"];
  nlohmann::json left = nlohmann::json::object();
  std::string applied;
  for (const auto& [name, value] : pending.items()) {
    if (name == "MultiAZ") {
      if (value.get<bool>() != updated.spec.value("MultiAZ", false)) {
        auto refused = ports_ == nullptr ? std::optional<ApiError>(ApiError::internal("no port allocator"))
                                         : recordMultiAzChange(updated, value.get<bool>(), *ports_);
        if (refused) {
          spdlog::warn("msg=\"cannot change Multi-AZ in the maintenance window\" instance={} error=\"{}\"",
                       instance.name, refused->message);
          left[name] = value;  // tried again on the next pass while the window is open
          continue;
        }
        updated.status = kModifying;  // the controller converts it
      }
    } else {
      updated.spec[name] = value;
    }
    applied += (applied.empty() ? "" : ", ") + name;
  }
  if (applied.empty()) return false;  // nothing could be applied: the record stays as it is
  if (left.empty()) {
    updated.state.erase("PendingMaintenance");
  } else {
    updated.state["PendingMaintenance"] = left;
  }
  auto stored = catalog_.updateResource(updated);
  if (!stored) {
    if (ports_ != nullptr) releaseMultiAzChange(updated, *ports_);
    return true;  // changed meanwhile: the next pass looks again
  }
  instance = *stored;
  if (!applied.empty()) {
    addEvent(instance, "Applied the modifications pending for the maintenance window: " + applied, "maintenance");
  }
  if (instance.status == kModifying) reconciler_.wake();
  return true;
}

}  // namespace kura::rds
