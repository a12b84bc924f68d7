// Pending maintenance of DB instances: DescribePendingMaintenanceActions and
// ApplyPendingMaintenanceAction, for the one action Kura has: a
// "system-update", pending when an instance's servers run an older
// executable than the one installed (a package upgrade of the engine since
// they started: src/rds/system_update.cpp notes it). Applied at once
// (a restart on the installed executable; a Multi-AZ instance's standby
// first, then a failover), or in the next maintenance window; without
// either, in the first window after its AutoAppliedAfterDate
// (system_update_schedule.h).
#include "common/daily_window.h"
#include "common/time_format.h"
#include "services/rds/describe_paging.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"

namespace kura::rds {
namespace {

constexpr const char* kSystemUpdate = "system-update";

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

// When the window applies the update, from `from` on: `from` itself when
// the window is open then, else the window's next start.
std::optional<SystemTime> windowFrom(const std::string& window, SystemTime from) {
  if (insideWeeklyWindow(window, from)) return from;
  return nextWeeklyWindowStart(window, from);
}

// The instance's pending actions, as RDS lists them (empty: none).
Json pendingActionsOf(const Resource& instance, SystemTime now, std::chrono::seconds autoApply) {
  Json details = Json::array();
  if (!instance.state.contains("SystemUpdate")) return details;
  Json action = {{"Action", kSystemUpdate},
                 {"Description", "The database server runs an older executable than the one installed (a package "
                                 "upgrade since it started); a restart runs the installed one."}};
  std::string optIn = instance.state.value("SystemUpdateOptIn", "");
  std::string window = instance.spec.value("PreferredMaintenanceWindow", "");
  auto autoAfter = systemUpdateAutoAppliedAfter(instance, autoApply);
  if (autoAfter) action["AutoAppliedAfterDate"] = toEpochSeconds(*autoAfter);
  if (instance.state.value("SystemUpdating", false) && instance.status == kRebooting) {
    if (!optIn.empty()) action["OptInStatus"] = optIn;  // none when applied by its date
    action["CurrentApplyDate"] = toEpochSeconds(now);
  } else if (optIn == "next-maintenance" || autoAfter) {
    if (optIn == "next-maintenance") action["OptInStatus"] = optIn;
    // Applied within seconds when the window is open now (and, without an
    // opt-in, the automatic date has passed).
    SystemTime from = optIn == "next-maintenance" ? now : std::max(now, *autoAfter);
    if (auto when = windowFrom(window, from)) action["CurrentApplyDate"] = toEpochSeconds(*when);
  }
  details.push_back(std::move(action));
  return details;
}

}  // namespace

Result<Json> RdsApi::describePendingMaintenanceActions(const RequestContext& c, const Json& in) {
  auto limit = pageSizeOf(in);
  if (!limit) return limit.error();
  std::vector<std::string> instances, clusters;
  for (const auto& filter : in.value("Filters", Json::array())) {
    std::string name = filter.value("Name", "");
    auto values = filter.value("Values", Json::array()).get<std::vector<std::string>>();
    if (name == "db-instance-id") {
      for (const auto& value : values) instances.push_back(value.rfind("arn:", 0) == 0 ? value : lowerCase(value));
    } else if (name == "db-cluster-id") {
      for (const auto& value : values) clusters.push_back(value.rfind("arn:", 0) == 0 ? value : lowerCase(value));
    } else {
      return invalid("Unrecognized filter name: " + name);
    }
  }
  std::string only = in.value("ResourceIdentifier", "");
  if (!only.empty()) {
    auto named = catalog_.getResourceByArn(only);
    if (!named || named->accountId != c.accountId || named->region != c.region || named->status == kDeleted) {
      return ApiError::sender("ResourceNotFoundFault", "The specified resource ARN was not found.", 404);
    }
  }
  auto after = markerOf(in);
  if (!after) return after.error();
  SystemTime now = catalog_.clock()->now();
  std::vector<Resource> found = recordsAfter(catalog_, c, kInstance, *after, *limit + 1, [&](const Resource& instance) {
    if (instance.status == kDeleted || !instance.state.contains("SystemUpdate")) return false;
    if (!only.empty() && instance.arn != only) return false;
    if (!listedIn(instances, instance.name) && !listedIn(instances, instance.arn)) return false;
    std::string cluster = instance.spec.value("DBClusterIdentifier", "");
    std::string clusterArn = instance.spec.value("ClusterArn", "");
    return clusters.empty() || (!cluster.empty() && (listedIn(clusters, cluster) || listedIn(clusters, clusterArn)));
  });
  return pageOfRecords(std::move(found), *limit, "PendingMaintenanceActions", [&](const Resource& instance) {
    return Json{{"ResourceIdentifier", instance.arn}, {"PendingMaintenanceActionDetails", pendingActionsOf(instance, now, config_.systemUpdateAutoApply)}};
  });
}

Result<Json> RdsApi::applyPendingMaintenanceAction(const RequestContext& c, const Json& in) {
  std::string arn = in["ResourceIdentifier"];
  std::string action = in["ApplyAction"];
  std::string optIn = in["OptInType"];
  if (optIn != "immediate" && optIn != "next-maintenance" && optIn != "undo-opt-in") {
    return invalid("OptInType must be immediate, next-maintenance or undo-opt-in, not " + optIn + ".");
  }
  bool wake = false;
  auto applied = catalog_.transact([&]() -> Result<Resource> {
    auto found = catalog_.getResourceByArn(arn);
    if (!found || found->accountId != c.accountId || found->region != c.region || found->status == kDeleted ||
        (found->kind != kInstance && found->kind != kCluster)) {
      return ApiError::sender("ResourceNotFoundFault", "The specified resource ARN was not found.", 404);
    }
    Resource instance = *found;
    // A cluster has none of its own: its instances' are each theirs.
    if (found->kind != kInstance || action != kSystemUpdate || !instance.state.contains("SystemUpdate")) {
      return invalid("No pending maintenance action " + action + " for " + instance.name + ".");
    }
    // Written only while no step works on the instance (whose step would
    // write its own state over this one).
    if (instance.state.value("SystemUpdating", false) || instance.status != instance.goal) {
      return ApiError::sender("InvalidDBInstanceState", "DB instance " + instance.name + " is " + instance.status +
                                                            ": try again once it is available.");
    }
    if (optIn == "undo-opt-in") {
      instance.state.erase("SystemUpdateOptIn");
    } else if (optIn == "next-maintenance") {
      instance.state["SystemUpdateOptIn"] = optIn;
    } else {
      if (instance.status != kAvailable || instance.goal != kAvailable) {
        return ApiError::sender("InvalidDBInstanceState",
                                "Database instance is not in available state. Current state: " + instance.status);
      }
      if (isClusterMember(instance)) {
        auto cluster = catalog_.getResourceByArn(instance.spec.value("ClusterArn", ""));
        if (!cluster || cluster->status != kAvailable || cluster->goal != kAvailable) {
          return ApiError::sender("InvalidDBClusterStateFault",
                                  "DB cluster " + instance.spec.value("DBClusterIdentifier", "") + " is not available.");
        }
      }
      instance.status = kRebooting;
      instance.state["SystemUpdateOptIn"] = optIn;
      instance.state["SystemUpdating"] = true;
      wake = true;
    }
    return catalog_.updateResource(instance);
  });
  if (!applied) return applied.error();
  if (wake) reconciler_.wake();
  return Json{{"ResourcePendingMaintenanceActions",
               {{"ResourceIdentifier", applied->arn},
                {"PendingMaintenanceActionDetails", pendingActionsOf(*applied, catalog_.clock()->now(), config_.systemUpdateAutoApply)}}}};
}

}  // namespace kura::rds
