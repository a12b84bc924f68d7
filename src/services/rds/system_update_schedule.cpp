#include "services/rds/system_update_schedule.h"

namespace kura::rds {
namespace {

bool optedInForWindow(const Resource& instance) {
  return instance.state.value("SystemUpdateOptIn", "") == "next-maintenance";
}

}  // namespace

std::optional<SystemTime> systemUpdateAutoAppliedAfter(const Resource& instance, std::chrono::seconds autoApply) {
  if (autoApply.count() <= 0 || !instance.state.contains("SystemUpdate")) return std::nullopt;
  const nlohmann::json& update = instance.state["SystemUpdate"];
  if (!update.contains("AutoAppliedAfter") || update.value("AutoApplyFailed", false)) return std::nullopt;
  double after = update.value("AutoAppliedAfter", 0.0);
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double>(after)));
}

bool systemUpdateDueInWindow(const Resource& instance, SystemTime now, std::chrono::seconds autoApply) {
  if (!instance.state.contains("SystemUpdate")) return false;
  if (optedInForWindow(instance)) return true;
  auto after = systemUpdateAutoAppliedAfter(instance, autoApply);
  return after && now >= *after;
}

bool systemUpdateScheduled(const Resource& instance, std::chrono::seconds autoApply) {
  if (!instance.state.contains("SystemUpdate")) return false;
  return optedInForWindow(instance) || systemUpdateAutoAppliedAfter(instance, autoApply).has_value();
}

}  // namespace kura::rds
