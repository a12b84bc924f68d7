#include "services/rds/system_update_schedule.h"

namespace kura::rds {

std::optional<SystemTime> systemUpdateAutoAppliedAfter(const Resource& instance, std::chrono::seconds autoApply) {
  if (autoApply.count() <= 0 || !instance.state.contains("SystemUpdate")) return std::nullopt;
  double since = instance.state["SystemUpdate"].value("Since", 0.0);
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double>(since))) +
         autoApply;
}

bool systemUpdateDueInWindow(const Resource& instance, SystemTime now, std::chrono::seconds autoApply) {
  if (!instance.state.contains("SystemUpdate")) return false;
  if (instance.state.value("SystemUpdateOptIn", "") == "next-maintenance") return true;
  auto after = systemUpdateAutoAppliedAfter(instance, autoApply);
  return after && now >= *after;
}

}  // namespace kura::rds
