#pragma once
// Automated backups kept after their instance is gone (DeleteDBInstance
// with DeleteAutomatedBackups false), as RDS keeps them: the instance's
// automated snapshots and WAL archive stay on disk, and a record of kind
// db-instance-automated-backup (named by the instance's DbiResourceId)
// keeps what a point-in-time restore needs: the instance's settings and
// its restorable window at deletion. DescribeDBInstanceAutomatedBackups
// lists these ("retained") beside live instances' ("active");
// RestoreDBInstanceToPointInTime takes SourceDbiResourceId or
// SourceDBInstanceAutomatedBackupsArn of one.
#include "catalog/catalog.h"

namespace kura::rds {

// The record of a deleted instance's retained backups.
Resource retainedBackupOf(const Resource& instance);
// Its ARN (arn:aws:rds:<region>:<account>:auto-backup:ab-...).
std::string retainedBackupArn(const Resource& instance);
// The instance's automated snapshots (isSnapshotOf: not an earlier one's of
// the same name) recorded deleting; the snapshot controller removes their
// files. True if any was.
bool deleteAutomatedSnapshotsOf(Catalog& catalog, const Resource& instance);
// What keeps the backups of DbiResourceId `dbi` (retained as `keptArn`, if
// they are) from going now: a live instance that has them, or a restore
// from them under way; empty when nothing does. Read inside the
// transaction that marks them deleting, so that a restore is recorded
// either before (and seen) or after (and refused: it reads them first).
std::string retainedBackupHolder(Catalog& catalog, const std::string& accountId, const std::string& region,
                                 const std::string& dbi, const std::string& keptArn);

}  // namespace kura::rds
