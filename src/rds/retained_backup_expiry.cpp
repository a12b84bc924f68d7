// The supervisor's expiry of retained automated backups (rds_supervisor.h).
// As RDS documents it, a deleted instance's system snapshots and logs
// "expire the same way that they expire for the source DB instance": each
// snapshot once older than the retention period the instance had at its
// deletion, and, with no new one taken, the whole once the last has gone.
#include <cmath>
#include <limits>

#include <spdlog/spdlog.h>

#include "common/time_format.h"
#include "rds/rds_supervisor.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/retained_backups.h"

namespace kura::rds {
namespace {

constexpr double kDaySeconds = 86400;

}  // namespace

void RdsSupervisor::expireRetainedBackups(SystemTime now) {
  // Retention is counted in days: a pass a minute reads every record.
  if (retainedCheckedAt_ != SystemTime{} && now - retainedCheckedAt_ < std::chrono::minutes(1)) return;
  retainedCheckedAt_ = now;
  for (const Resource& kept : catalog_.listAllOfKind(kRetainedBackup)) {
    if (kept.status == "retained") expireRetainedBackup(kept, now);
  }
}

void RdsSupervisor::expireRetainedBackup(const Resource& kept, SystemTime now) {
  bool changed = false;
  // In one transaction with its check, as DeleteDBInstanceAutomatedBackup:
  // a restore from these backups is recorded before (and seen here: nothing
  // expires while it reads them) or after (and it reads what is left).
  auto expired = catalog_.transact([&]() -> Result<bool> {
    auto fresh = catalog_.getResourceByArn(kept.arn);
    if (!fresh || fresh->status != "retained") return false;
    Resource record = *fresh;
    if (!retainedBackupHolder(catalog_, record.accountId, record.region, record.name, record.arn).empty()) {
      return false;
    }
    // The deleted instance as its snapshots name it (a live one may have
    // its name, and its ARN: isSnapshotOf tells them apart).
    Resource instance = record;
    instance.arn = record.spec.value("DBInstanceArn", "");
    double retentionSeconds = record.spec.value("BackupRetentionPeriod", 0) * kDaySeconds;
    double oldestKept = std::numeric_limits<double>::max();
    for (Resource snapshot : catalog_.listAllOfKind(kSnapshot)) {
      if (!isSnapshotOf(snapshot, instance) || snapshot.spec.value("SnapshotType", "") != "automated" ||
          snapshot.status != kAvailable) {
        continue;
      }
      double taken = snapshot.state.value("SnapshotCreateTime", 0.0);
      if (toEpochSeconds(now) - taken <= retentionSeconds) {
        oldestKept = std::min(oldestKept, taken);
        continue;
      }
      snapshot.status = kDeleting;
      snapshot.goal = kDeleted;
      if (auto stored = catalog_.updateResource(snapshot); !stored) return stored.error();
      changed = true;
    }
    if (oldestKept == std::numeric_limits<double>::max()) {
      // Nothing left to restore from: the rest goes (the controller
      // removes the WAL archive, then the record).
      record.status = kDeleting;
      record.goal = kDeleted;
      record.state["Expired"] = true;
    } else if (std::abs(record.state.value("EarliestRestorableTime", 0.0) - oldestKept) > 0.5) {
      record.state["EarliestRestorableTime"] = oldestKept;  // what can be restored starts there
    } else {
      return changed;
    }
    if (auto stored = catalog_.updateResource(record); !stored) return stored.error();
    return true;
  });
  if (!expired) {
    spdlog::warn("msg=\"cannot expire retained automated backups\" dbi_resource_id={} error=\"{}\"", kept.name,
                 expired.error().message);
    return;
  }
  if (*expired) reconciler_.wake();
}

}  // namespace kura::rds
