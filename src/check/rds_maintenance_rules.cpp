// rds-pending-maintenance (runbook 4.1: patches and version upgrades,
// validated, then applied): every maintenance action RDS has pending for a
// DB instance or cluster (an OS or engine system-update, a db-upgrade...)
// is scheduled: opted in (OptInStatus) or with a date RDS applies it by
// (AutoAppliedAfterDate, ForcedApplyDate). One nobody scheduled fails, with
// the command that schedules it for the next maintenance window.
#include "check/json_fields.h"
#include "check/rds_database.h"

namespace kura::check {
namespace {

bool scheduled(const nlohmann::json& action) {
  std::string optIn = textOf(action, "OptInStatus");
  return (!optIn.empty() && optIn != "undo-opt-in") || action.contains("AutoAppliedAfterDate") ||
         action.contains("ForcedApplyDate");
}

void checkOne(CheckContext& context, const std::string& arn, const nlohmann::json& pending) {
  std::string unscheduled, fix, detail;
  int scheduledCount = 0;
  for (const auto& resource : pending) {
    if (textOf(resource, "ResourceIdentifier") != arn) continue;
    for (const auto& action : listOf(resource, "PendingMaintenanceActionDetails")) {
      if (scheduled(action)) {
        ++scheduledCount;
        continue;
      }
      std::string name = textOf(action, "Action");
      unscheduled += (unscheduled.empty() ? "" : ", ") + name;
      if (detail.empty()) detail = textOf(action, "Description");
      fix += (fix.empty() ? "" : " && ") + context.aws("rds") + " apply-pending-maintenance-action --resource-identifier " +
             arn + " --apply-action " + name + " --opt-in-type next-maintenance";
    }
  }
  if (!unscheduled.empty()) {
    context.failed("rds-pending-maintenance", arn,
                   "pending and not scheduled: " + unscheduled + (detail.empty() ? "" : " (" + detail + ")"), fix);
  } else {
    context.passed("rds-pending-maintenance", arn,
                   scheduledCount == 0 ? "no pending maintenance"
                                       : std::to_string(scheduledCount) + " pending action(s), each scheduled");
  }
}

}  // namespace

void checkRdsMaintenance(CheckContext& context, const nlohmann::json& instances, const nlohmann::json& clusters) {
  const auto& answer = context.read("rds", "DescribePendingMaintenanceActions");
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("rds-pending-maintenance", "rds:" + context.region(), "DescribePendingMaintenanceActions",
                       *error);
    return;
  }
  const nlohmann::json& pending = listOf(*client::outputOf(answer), "PendingMaintenanceActions");
  // Every instance, an Aurora cluster's members too (a system update is an
  // instance's), and every cluster (an engine upgrade is the cluster's).
  for (const auto& entry : instances) checkOne(context, textOf(entry, "DBInstanceArn"), pending);
  for (const auto& entry : clusters) checkOne(context, textOf(entry, "DBClusterArn"), pending);
}

}  // namespace kura::check
