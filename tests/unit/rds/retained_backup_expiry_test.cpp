// A deleted instance's retained automated backups expire as the instance's
// own would have (retained_backup_expiry.cpp): each automated snapshot
// once older than the retention period, the whole once none is left; never
// while a restore reads them, and never a snapshot of another instance
// that had the same name.
#include <gtest/gtest.h>

#include <string>

#include "common/time_format.h"
#include "supervisor_rig.h"

namespace kura::rds {
namespace {

using testing::SupervisorRig;

constexpr const char* kGoneArn = "arn:aws:rds:ap-northeast-1:000000000000:db:gone";

struct ExpiryRig : SupervisorRig {
  double now() const { return toEpochSeconds(clock->now()); }

  // The record DeleteDBInstance leaves for "gone" (retention 2 days).
  Resource addRetained() {
    Resource draft = SupervisorRig::draft(kRetainedBackup, "db-gone", "auto-backup:ab-", "retained");
    draft.arn = "arn:aws:rds:ap-northeast-1:000000000000:auto-backup:ab-gone";
    draft.spec = {{"DbiResourceId", "db-gone"},
                  {"DBInstanceArn", kGoneArn},
                  {"DBInstanceIdentifier", "gone"},
                  {"BackupRetentionPeriod", 2}};
    draft.state = {{"EarliestRestorableTime", now() - 3 * 86400}, {"LatestRestorableTime", now()}};
    return *catalog.createResource(draft);
  }

  Resource addSnapshot(const std::string& name, double ageDays, const std::string& type = "automated",
                       const std::string& dbi = "db-gone") {
    Resource draft = SupervisorRig::draft(kSnapshot, name, "snapshot:", kAvailable);
    draft.spec = {{"SourceInstanceArn", kGoneArn}, {"DbiResourceId", dbi}, {"SnapshotType", type}};
    draft.state = {{"SnapshotCreateTime", now() - ageDays * 86400}};
    return *catalog.createResource(draft);
  }

  std::string statusOf(const std::string& arn) { return catalog.getResourceByArn(arn)->status; }
};

TEST(RetainedBackupExpiry, SnapshotsExpireOneByOneThenTheWhole) {
  ExpiryRig rig;
  Resource kept = rig.addRetained();
  Resource oldest = rig.addSnapshot("rds:gone-1", 3);
  Resource newest = rig.addSnapshot("rds:gone-2", 1);
  Resource manual = rig.addSnapshot("by-hand", 5, "manual");
  Resource earlier = rig.addSnapshot("rds:gone-0", 4, "automated", "db-earlier");  // an earlier "gone"'s
  double newestTaken = newest.state["SnapshotCreateTime"];

  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOf(oldest.arn), kDeleting);
  EXPECT_EQ(rig.statusOf(newest.arn), kAvailable);
  Resource record = *rig.catalog.getResourceByArn(kept.arn);
  EXPECT_EQ(record.status, "retained");
  EXPECT_DOUBLE_EQ(record.state.value("EarliestRestorableTime", 0.0), newestTaken);

  rig.clock->advance(std::chrono::hours(12));  // the newest is 1.5 days old: kept
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOf(newest.arn), kAvailable);
  EXPECT_EQ(rig.statusOf(kept.arn), "retained");

  rig.clock->advance(std::chrono::hours(13));  // 2 days and an hour: the last expires, and the whole
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOf(newest.arn), kDeleting);
  record = *rig.catalog.getResourceByArn(kept.arn);
  EXPECT_EQ(record.status, kDeleting);
  EXPECT_EQ(record.goal, kDeleted);
  EXPECT_TRUE(record.state.value("Expired", false));
  // Neither a manual snapshot nor another instance's automated one.
  EXPECT_EQ(rig.statusOf(manual.arn), kAvailable);
  EXPECT_EQ(rig.statusOf(earlier.arn), kAvailable);
}

TEST(RetainedBackupExpiry, NothingExpiresWhileARestoreReadsThem) {
  ExpiryRig rig;
  Resource kept = rig.addRetained();
  Resource old = rig.addSnapshot("rds:gone-1", 3);
  Resource restoring = rig.addInstance("restored", kCreating);
  rig.update(restoring.arn,
             [&](Resource& r) { r.spec["RestoreSource"] = {{"RetainedBackupArn", kept.arn}}; });
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOf(old.arn), kAvailable);
  EXPECT_EQ(rig.statusOf(kept.arn), "retained");

  rig.setStatus(restoring.arn, kAvailable);  // restored: they expire at the next pass
  rig.clock->advance(std::chrono::minutes(2));
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOf(old.arn), kDeleting);
  EXPECT_EQ(rig.statusOf(kept.arn), kDeleting);
}

TEST(RetainedBackupExpiry, ASnapshotRestoredFromIsKeptUntilTheRestoreIsDone) {
  ExpiryRig rig;
  Resource kept = rig.addRetained();
  Resource old = rig.addSnapshot("rds:gone-1", 3);
  Resource restoring = rig.addInstance("restored", kCreating);
  rig.update(restoring.arn, [&](Resource& r) { r.spec["RestoreSource"] = {{"SnapshotArn", old.arn}}; });
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOf(old.arn), kAvailable);
  EXPECT_EQ(rig.statusOf(kept.arn), "retained");  // not the whole either

  rig.setStatus(restoring.arn, kAvailable);
  rig.clock->advance(std::chrono::minutes(2));
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOf(old.arn), kDeleting);
  EXPECT_EQ(rig.statusOf(kept.arn), kDeleting);
}

TEST(RetainedBackupExpiry, OncePerMinute) {
  ExpiryRig rig;
  rig.supervisor.checkOnce();  // the minute's pass, with nothing to expire yet
  Resource kept = rig.addRetained();
  Resource old = rig.addSnapshot("rds:gone-1", 3);
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOf(old.arn), kAvailable);
  rig.clock->advance(std::chrono::seconds(61));
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOf(old.arn), kDeleting);
}

}  // namespace
}  // namespace kura::rds
