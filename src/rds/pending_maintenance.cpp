// The part of RdsSupervisor that applies, when an instance's weekly
// maintenance window opens, the modifications ModifyDBInstance held for it:
// as an immediate modification would. The instance class (which bounds the
// server's memory: the supervisor moves the bound) and storage are
// recorded, backups are turned on or
// off, and a Multi-AZ change is handed to the controller (status
// modifying), which converts the instance.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "catalog/pending_maintenance.h"
#include "common/time_format.h"
#include "rds/rds_supervisor.h"
#include "services/rds/multi_az_change.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {

bool RdsSupervisor::startPendingMaintenance(Resource& instance, SystemTime now) {
  Resource updated = instance;
  auto applied = applyPendingMaintenance(updated, now, [&](Resource& record, const std::string& name,
                                                          const nlohmann::json& value) {
    if (name == "AllocatedStorage") {
      // Never smaller than storage autoscaling made it meanwhile; the change
      // counts for autoscaling's six hours (storage_use.h).
      int64_t wanted = std::max(value.get<int64_t>(), record.spec.value("AllocatedStorage", int64_t{20}));
      if (wanted != record.spec.value("AllocatedStorage", int64_t{20})) {
        record.state["StorageChangedAt"] = toEpochSeconds(now);
      }
      record.spec[name] = wanted;
      return true;
    }
    if (name != "MultiAZ") {
      record.spec[name] = value;
      return true;
    }
    if (value.get<bool>() == record.spec.value("MultiAZ", false)) return true;
    auto refused = ports_ == nullptr ? std::optional<ApiError>(ApiError::internal("no port allocator"))
                                     : recordMultiAzChange(record, value.get<bool>(), *ports_);
    if (refused) {
      spdlog::warn("msg=\"cannot change Multi-AZ in the maintenance window\" instance={} error=\"{}\"",
                   instance.name, refused->message);
      return false;  // tried again on the next pass while the window is open
    }
    record.status = kModifying;  // the controller converts it
    return true;
  });
  if (applied.empty()) return false;  // nothing could be applied: the record stays as it is
  auto stored = catalog_.updateResource(updated);
  if (!stored) {
    if (ports_ != nullptr) releaseMultiAzChange(updated, *ports_);
    return true;  // changed meanwhile: the next pass looks again
  }
  instance = *stored;
  std::string names;
  for (const std::string& name : applied) names += (names.empty() ? "" : ", ") + name;
  addEvent(instance, "Applied the modifications pending for the maintenance window: " + names, "maintenance");
  if (instance.status == kModifying) reconciler_.wake();
  return true;
}

}  // namespace kura::rds
