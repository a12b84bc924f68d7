#include "catalog/pending_maintenance.h"

#include "common/daily_window.h"

namespace kura {

void holdForMaintenanceWindow(nlohmann::json& in, Resource& resource, const std::vector<std::string>& names,
                              bool immediately, const std::function<bool(const std::string&)>& waits) {
  nlohmann::json pending = resource.state.value("PendingMaintenance", nlohmann::json::object());
  for (const std::string& name : names) {
    if (!in.contains(name)) continue;
    if (immediately || (waits && !waits(name))) {
      pending.erase(name);
      continue;
    }
    if (in[name] == resource.spec.value(name, nlohmann::json())) {
      pending.erase(name);  // back to what it is: nothing waits
    } else {
      pending[name] = in[name];
    }
    in.erase(name);
  }
  if (immediately) {
    for (const auto& [name, value] : pending.items()) {
      if (!in.contains(name)) in[name] = value;
    }
    pending = nlohmann::json::object();
  }
  if (pending.empty()) {
    resource.state.erase("PendingMaintenance");
  } else {
    resource.state["PendingMaintenance"] = pending;
  }
}

std::vector<std::string> applyPendingMaintenance(Resource& resource, SystemTime now, const PendingApply& apply) {
  std::vector<std::string> applied;
  if (!resource.state.contains("PendingMaintenance") ||
      !insideWeeklyWindow(resource.spec.value("PreferredMaintenanceWindow", ""), now)) {
    return applied;
  }
  const nlohmann::json pending = resource.state["PendingMaintenance"];
  nlohmann::json left = nlohmann::json::object();
  for (const auto& [name, value] : pending.items()) {
    if (apply ? !apply(resource, name, value) : false) {
      left[name] = value;  // tried again on a later pass while the window is open
      continue;
    }
    if (!apply) resource.spec[name] = value;
    applied.push_back(name);
  }
  if (left.empty()) {
    resource.state.erase("PendingMaintenance");
  } else {
    resource.state["PendingMaintenance"] = left;
  }
  return applied;
}

}  // namespace kura
