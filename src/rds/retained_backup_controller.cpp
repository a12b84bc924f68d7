#include "rds/retained_backup_controller.h"

#include <chrono>
#include <filesystem>

#include "services/rds/rds_kinds.h"
#include "services/rds/retained_backups.h"

namespace kura::rds {

std::string RetainedBackupController::kind() const { return kRetainedBackup; }

StepOutcome RetainedBackupController::step(Resource& record, ReconcileContext& ctx) {
  if (record.status != kDeleting) {
    ctx.note("no step from " + record.status + " to " + record.goal);
    return StepOutcome::failed();
  }
  // The deleted instance's own (a live one may have its name, and its ARN).
  Resource instance = record;
  instance.arn = record.spec.value("DBInstanceArn", "");
  if (deleteAutomatedSnapshotsOf(ctx.catalog(), instance)) ctx.requestRescan();
  std::error_code ec;
  std::filesystem::remove_all(paths_.walArchive(walArchiveId(record)), ec);
  if (ec) {
    ctx.note("cannot remove the WAL archive: " + ec.message());
    return StepOutcome::retryAfter(std::chrono::milliseconds(500));
  }
  record.status = kDeleted;
  std::string name = record.spec.value("DBInstanceIdentifier", record.name);
  ctx.emitEvent(record.state.value("Expired", false)
                    ? "The automated backups of " + name + " expired at the end of their retention period"
                    : "Deleted the automated backups of " + name,
                {"deletion"});
  return StepOutcome::done();
}

}  // namespace kura::rds
