// The part of RdsSupervisor that notices when an instance's servers run an
// older executable than the one installed (a package upgrade of PostgreSQL
// or MariaDB since they started: engines/replaced_executable.h) and keeps
// it as the instance's pending "system-update" (state.SystemUpdate), which
// DescribePendingMaintenanceActions shows and ApplyPendingMaintenanceAction
// applies: at once, or in the next maintenance window when opted in for it
// (state.SystemUpdateOptIn "next-maintenance", applied here: an Aurora
// cluster's members one at a time, its readers before its writer), and in
// the first window after its AutoAppliedAfterDate without one
// (services/rds/system_update_schedule.h).
// Applying it restarts the servers on the installed executable (the
// instance controller's reboot: a Multi-AZ instance's standby first, then
// a failover to it). Looked at every ten seconds an instance (two stat(2)s
// a server).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/daily_window.h"
#include "common/time_format.h"
#include "rds/rds_supervisor.h"
#include "services/rds/cluster_records.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/system_update_schedule.h"

namespace kura::rds {
namespace {

// Whether an opted-in member of an Aurora cluster may be updated now: the
// cluster available and no other member on its way anywhere; the writer
// only once no reader has an update to apply in a window (opted in, or with
// an automatic date: readers noticed later than the writer still go first).
bool memberMayGo(Catalog& catalog, const Resource& instance, std::chrono::seconds autoApply) {
  auto cluster = catalog.getResourceByArn(instance.spec.value("ClusterArn", ""));
  if (!cluster || cluster->status != kAvailable || cluster->goal != kAvailable) return false;
  bool writer = isClusterWriter(*cluster, instance);
  for (const Resource& member : clusterMembers(catalog, *cluster)) {
    if (member.arn == instance.arn) continue;
    if (member.status != kAvailable || member.goal != kAvailable) return false;
    if (writer && systemUpdateScheduled(member, autoApply)) return false;
  }
  return true;
}

}  // namespace

bool RdsSupervisor::watchSystemUpdate(Resource& instance) {
  SystemTime now = clock_->now();
  auto& last = systemUpdateCheckedAt_[instance.arn];
  if (last != SystemTime{} && now >= last && now - last < std::chrono::seconds(10)) return true;
  last = now;
  // Every server of the instance (a Multi-AZ instance's two nodes): pending
  // if one runs an older executable, done only once every one is known to
  // run the installed one (a node down or being rebuilt cannot be told).
  std::vector<std::string> nodes = isMultiAz(instance) ? std::vector<std::string>{primaryNode(instance), standbyNode(instance)}
                                                       : std::vector<std::string>{""};
  int replaced = 0, installed = 0;
  for (const std::string& node : nodes) {
    auto layout = node.empty() ? layoutOf(instance, paths_, secrets_) : nodeLayoutOf(instance, node, paths_, secrets_);
    if (!layout) continue;
    auto found = engine_.serverExecutable(*layout);
    replaced += found == InstanceEngine::ServerExecutable::kReplaced;
    installed += found == InstanceEngine::ServerExecutable::kInstalled;
  }
  bool noted = instance.state.contains("SystemUpdate");
  bool pending = replaced > 0;
  // Its automatic date, written once (a change of the setting later moves
  // no date shown); an update noticed before dates were written gets one now.
  bool undated = noted && systemUpdateAutoApply_.count() > 0 && !instance.state["SystemUpdate"].contains("AutoAppliedAfter");
  if ((pending && (!noted || undated)) || (!pending && noted && installed == static_cast<int>(nodes.size()))) {
    Resource updated = instance;
    if (pending) {
      if (!noted) updated.state["SystemUpdate"] = {{"Since", toEpochSeconds(now)}};
      if (systemUpdateAutoApply_.count() > 0) {
        updated.state["SystemUpdate"]["AutoAppliedAfter"] = toEpochSeconds(now + systemUpdateAutoApply_);
      }
    } else {
      updated.state.erase("SystemUpdate");
      updated.state.erase("SystemUpdateOptIn");
    }
    auto stored = catalog_.updateResource(updated);
    if (!stored) return false;  // changed meanwhile: the next pass
    instance = *stored;
    if (pending && !noted) {
      spdlog::info("msg=\"the instance's server runs an older executable than the one installed\" instance={}",
                   instance.name);
      addEvent(instance,
               "A system update is available: the database server runs an older executable than the one "
               "installed (apply-pending-maintenance-action --apply-action system-update)",
               "maintenance");
    }
  }
  // Opted in for the next window, or past its automatic date, and the
  // window is open: applied now. Nobody asking, only when a server is seen
  // on an older executable in this very pass (a node that cannot be looked
  // at, a standby being rebuilt, is no reason to restart and fail over).
  bool optedIn = instance.state.value("SystemUpdateOptIn", "") == "next-maintenance";
  if (systemUpdateDueInWindow(instance, now, systemUpdateAutoApply_) && (optedIn || replaced > 0) &&
      insideWeeklyWindow(instance.spec.value("PreferredMaintenanceWindow", ""), now) &&
      (!isClusterMember(instance) || memberMayGo(catalog_, instance, systemUpdateAutoApply_))) {
    Resource updated = instance;
    updated.status = kRebooting;
    updated.state["SystemUpdating"] = true;
    if (auto stored = catalog_.updateResource(updated)) {
      instance = *stored;
      reconciler_.wake();
    }
    return false;
  }
  return true;
}

}  // namespace kura::rds
