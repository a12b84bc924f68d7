// The part of DbInstanceController that applies, in the instance's weekly
// maintenance window, the modifications ModifyDBInstance held for it (the
// supervisor starts this step when the window opens). The instance class
// and storage are recorded (Kura does not size engines by them); Multi-AZ
// is converted; backups are turned on or off.
#include <fmt/format.h>

#include "rds/db_instance_controller.h"
#include "services/rds/multi_az_change.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

StepOutcome DbInstanceController::applyPendingMaintenance(Resource& instance, ReconcileContext& ctx) {
  const nlohmann::json pending = instance.state.value("PendingMaintenance", nlohmann::json::object());
  std::string applied;
  for (const auto& [name, value] : pending.items()) {
    if (name == "MultiAZ") {
      if (value.get<bool>() == instance.spec.value("MultiAZ", false)) continue;
      if (auto refused = recordMultiAzChange(instance, value.get<bool>(), ports_)) {
        ctx.note(refused->message);  // stays pending: the next window tries again
        continue;
      }
    } else {
      instance.spec[name] = value;
    }
    applied += (applied.empty() ? "" : ", ") + name;
  }
  // What could not be applied (no free port for a Multi-AZ node) waits for the next window.
  nlohmann::json left = nlohmann::json::object();
  if (pending.contains("MultiAZ") && !instance.state.contains("MultiAzConversion") &&
      pending["MultiAZ"] != instance.spec.value("MultiAZ", false)) {
    left["MultiAZ"] = pending["MultiAZ"];
  }
  if (left.empty()) {
    instance.state.erase("PendingMaintenance");
  } else {
    instance.state["PendingMaintenance"] = left;
  }
  instance.state.erase("ApplyPending");
  ctx.emitEvent("Applied the modifications pending for the maintenance window: " + applied, {"maintenance"});
  // A Multi-AZ change goes on as the next step (convertMultiAz).
  if (instance.state.contains("MultiAzConversion")) return StepOutcome::progress();
  instance.status = kAvailable;
  return StepOutcome::done();
}

}  // namespace kura::rds
