// rds-backup-retention, rds-backup-window, rds-snapshot-recent (runbook 1.3).
#include "check/json_fields.h"
#include "check/rds_database.h"
#include "common/time_format.h"

namespace kura::check {
namespace {

constexpr long long kMinRetentionDays = 7;

void checkSnapshot(CheckContext& context, const RdsDatabase& database, long long retention) {
  nlohmann::json input = {{"SnapshotType", "automated"}};
  input[database.cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier"] = database.id;
  const char* operation = database.cluster ? "DescribeDBClusterSnapshots" : "DescribeDBSnapshots";
  const auto& answer = context.read("rds", operation, input);
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("rds-snapshot-recent", database.arn, operation, *error);
    return;
  }
  std::optional<SystemTime> newest;
  for (const auto& snapshot :
       listOf(*client::outputOf(answer), database.cluster ? "DBClusterSnapshots" : "DBSnapshots")) {
    if (textOf(snapshot, "Status") != "available") continue;
    auto created = timeOf(snapshot, "SnapshotCreateTime");
    if (created && (!newest || *created > *newest)) newest = created;
  }
  SystemTime now = context.now();
  if (newest && now - *newest <= std::chrono::hours(24)) {
    context.passed("rds-snapshot-recent", database.arn,
                   "newest automated snapshot taken " + formatIso8601Seconds(*newest));
    return;
  }
  std::string fix = retention > 0
                        ? context.aws("rds") +
                              (database.cluster ? " create-db-cluster-snapshot " : " create-db-snapshot ") +
                              database.idOption() +
                              (database.cluster ? " --db-cluster-snapshot-identifier " : " --db-snapshot-identifier ") +
                              database.id + "-manual-now"
                        : database.modifyCommand(context) + " --backup-retention-period 7 --apply-immediately";
  context.failed(
      "rds-snapshot-recent", database.arn,
      newest ? "newest automated snapshot is " + ageText(*newest, now) + " old" : std::string("no automated snapshot"),
      fix);
}

}  // namespace

void checkRdsBackups(CheckContext& context, const RdsDatabase& database) {
  long long retention = numberOf(database.raw, "BackupRetentionPeriod").value_or(0);
  if (retention >= kMinRetentionDays) {
    context.passed("rds-backup-retention", database.arn, "backups kept " + std::to_string(retention) + " days");
  } else {
    context.failed(
        "rds-backup-retention", database.arn,
        retention == 0 ? std::string("automated backups off") : "backups kept " + std::to_string(retention) + " days",
        database.modifyCommand(context) + " --backup-retention-period 7 --apply-immediately");
  }
  std::string window = textOf(database.raw, "PreferredBackupWindow");
  if (!window.empty()) {
    context.passed("rds-backup-window", database.arn, "backup window " + window);
  } else {
    context.failed("rds-backup-window", database.arn, "no preferred backup window",
                   database.modifyCommand(context) + " --preferred-backup-window 02:00-03:00");
  }
  checkSnapshot(context, database, retention);
}

}  // namespace kura::check
