#pragma once
// Drives the record of the backups a deleted instance kept
// (services/rds/retained_backups.h): deleting (DeleteDBInstanceAutomatedBackup,
// or expired: retained_backup_expiry.cpp) -> its automated snapshots recorded deleting (the snapshot controller
// removes their files), its WAL archive removed -> deleted (the record goes).
#include "rds/rds_layout.h"
#include "reconcile/controller.h"

namespace kura::rds {

class RetainedBackupController final : public Controller {
 public:
  explicit RetainedBackupController(RdsPaths paths) : paths_(std::move(paths)) {}
  std::string kind() const override;
  StepOutcome step(Resource& record, ReconcileContext& ctx) override;

 private:
  RdsPaths paths_;
};

}  // namespace kura::rds
