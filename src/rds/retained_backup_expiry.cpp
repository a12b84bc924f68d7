// The supervisor's expiry of retained automated backups (rds_supervisor.h).
// As RDS documents it, a deleted instance's system snapshots and logs
// "expire the same way that they expire for the source DB instance": each
// snapshot once older than the retention period the instance had at its
// deletion, and, with no new one taken, the whole once the last has gone.
#include <cmath>
#include <limits>
#include <map>

#include <spdlog/spdlog.h>

#include "common/time_format.h"
#include "rds/rds_supervisor.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/retained_backups.h"
#include "services/rds/snapshot_readers.h"

namespace kura::rds {
namespace {

constexpr double kDaySeconds = 86400;

using SnapshotsByOwner = std::map<std::pair<std::string, std::string>, std::vector<Resource>>;

}  // namespace

void RdsSupervisor::expireRetainedBackups(SystemTime now) {
  // Retention is counted in days: a pass a minute (and one at once if the
  // clock was set back).
  if (retainedCheckedAt_ != SystemTime{} && now >= retainedCheckedAt_ &&
      now - retainedCheckedAt_ < std::chrono::minutes(1)) {
    return;
  }
  retainedCheckedAt_ = now;
  std::vector<Resource> kept;
  for (Resource& record : catalog_.listAllOfKind(kRetainedBackup)) {
    if (record.status == "retained") kept.push_back(std::move(record));
  }
  if (kept.empty()) return;
  // Every automated snapshot read once, outside any transaction, by the
  // instance it was taken of (its ARN and DbiResourceId: isSnapshotOf).
  SnapshotsByOwner snapshots;
  for (Resource& snapshot : catalog_.listAllOfKind(kSnapshot)) {
    if (snapshot.spec.value("SnapshotType", "") != "automated" || snapshot.status != kAvailable) continue;
    snapshots[{snapshot.spec.value("SourceInstanceArn", ""), snapshot.spec.value("DbiResourceId", "")}].push_back(
        std::move(snapshot));
  }
  for (const Resource& record : kept) {
    auto owned = snapshots.find({record.spec.value("DBInstanceArn", ""), record.name});
    expireRetainedBackup(record, owned == snapshots.end() ? std::vector<Resource>{} : owned->second, now);
  }
}

void RdsSupervisor::expireRetainedBackup(const Resource& kept, const std::vector<Resource>& snapshots,
                                         SystemTime now) {
  double retentionSeconds = kept.spec.value("BackupRetentionPeriod", 0) * kDaySeconds;
  double oldestKept = std::numeric_limits<double>::max();
  std::vector<std::string> expiring;
  for (const Resource& snapshot : snapshots) {
    double taken = snapshot.state.value("SnapshotCreateTime", 0.0);
    if (toEpochSeconds(now) - taken > retentionSeconds) {
      expiring.push_back(snapshot.arn);
    } else {
      oldestKept = std::min(oldestKept, taken);
    }
  }
  bool whole = oldestKept == std::numeric_limits<double>::max();
  bool moved = !whole && std::abs(kept.state.value("EarliestRestorableTime", 0.0) - oldestKept) > 0.5;
  if (expiring.empty() && !whole && !moved) return;  // the usual case: nothing to write
  // Written in one transaction with its check, as DeleteDBInstanceAutomatedBackup:
  // a restore from these backups is recorded before (and seen here: nothing
  // expires while it reads them) or after (and it checks the window then).
  auto expired = catalog_.transact([&]() -> Result<bool> {
    auto fresh = catalog_.getResourceByArn(kept.arn);
    if (!fresh || fresh->status != "retained" || fresh->version != kept.version) return false;  // the next pass
    Resource record = *fresh;
    if (!retainedBackupHolder(catalog_, record.accountId, record.region, record.name, record.arn).empty()) {
      return false;
    }
    std::set<std::string> reads = expiring.empty() ? std::set<std::string>{} : snapshotReads(catalog_);
    for (const std::string& arn : expiring) {
      auto snapshot = catalog_.getResourceByArn(arn);
      if (!snapshot || snapshot->status != kAvailable) continue;
      if (reads.contains(arn)) {
        // Restored from, or copied, right now: kept (and the whole with it) until that is done.
        whole = false;
        oldestKept = std::min(oldestKept, snapshot->state.value("SnapshotCreateTime", 0.0));
        continue;
      }
      Resource marked = *snapshot;
      marked.status = kDeleting;
      marked.goal = kDeleted;
      if (auto stored = catalog_.updateResource(marked); !stored) return stored.error();
    }
    if (whole) {
      // Nothing left to restore from: the rest goes (the controller
      // removes the WAL archive, then the record).
      record.status = kDeleting;
      record.goal = kDeleted;
      record.state["Expired"] = true;
    } else {
      record.state["EarliestRestorableTime"] = oldestKept;  // what can be restored starts there
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
