// Automated snapshots past their retention are pruned, but never one that a
// restore or a copy under way reads (snapshot_readers.h), nor any of an
// instance a point-in-time restore reads from.
#include <gtest/gtest.h>

#include "common/time_format.h"
#include "services/rds/snapshot_readers.h"
#include "supervisor_rig.h"

namespace kura::rds {
namespace {

using testing::SupervisorRig;

struct PruneRig : SupervisorRig {
  Resource instance = addInstance("db", kAvailable);
  Resource old;

  PruneRig() {
    update(instance.arn, [&](Resource& r) {
      r.spec["BackupRetentionPeriod"] = 1;
      r.state["LastAutomatedBackup"] = toEpochSeconds(clock->now());  // no backup due
    });
    Resource draft = SupervisorRig::draft(kSnapshot, "rds:db-old", "snapshot:", kAvailable);
    draft.spec = {{"SourceInstanceArn", instance.arn}, {"DbiResourceId", "db-db"}, {"SnapshotType", "automated"}};
    draft.state = {{"SnapshotCreateTime", toEpochSeconds(clock->now()) - 2 * 86400}};
    old = *catalog.createResource(draft);
  }
  // An instance being restored from `source` (RestoreSource's `member`).
  void restoring(const char* member, const std::string& source) {
    Resource target = addInstance("restored", kCreating);
    update(target.arn, [&](Resource& r) { r.spec["RestoreSource"] = {{member, source}}; });
  }
  std::string statusOfOld() { return catalog.getResourceByArn(old.arn)->status; }
};

TEST(SnapshotReaders, AnExpiredSnapshotIsPruned) {
  PruneRig rig;
  EXPECT_FALSE(snapshotReads(rig.catalog).contains(rig.old.arn));
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOfOld(), kDeleting);
}

TEST(SnapshotReaders, NotWhileARestoreReadsIt) {
  PruneRig rig;
  rig.restoring("SnapshotArn", rig.old.arn);
  EXPECT_TRUE(snapshotReads(rig.catalog).contains(rig.old.arn));
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOfOld(), kAvailable);
  // The window still starts at it: a restore to a time it covers stays possible.
  EXPECT_DOUBLE_EQ(rig.catalog.getResourceByArn(rig.instance.arn)->state.value("EarliestRestorableTime", 0.0),
                   rig.old.state.value("SnapshotCreateTime", 0.0));
}

TEST(SnapshotReaders, NotWhileAPointInTimeRestoreReadsItsInstance) {
  PruneRig rig;
  rig.restoring("SourceInstanceArn", rig.instance.arn);
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOfOld(), kAvailable);
}

TEST(SnapshotReaders, ARestoredClusterReadsItsSourceUntilItsWriterMadeItsFiles) {
  SupervisorRig rig;
  // Available before any instance reads the snapshot.
  Resource cluster = SupervisorRig::draft(kCluster, "restored", "cluster:", kAvailable);
  const std::string source = "arn:aws:rds:ap-northeast-1:000000000000:cluster-snapshot:rds:src-1";
  cluster.spec = {{"RestoreSource", {{"ClusterSnapshotArn", source}}}};
  Resource stored = *rig.catalog.createResource(cluster);
  EXPECT_TRUE(snapshotReads(rig.catalog).contains(source));
  rig.update(stored.arn, [](Resource& r) { r.state[kRestoreRead] = true; });
  EXPECT_FALSE(snapshotReads(rig.catalog).contains(source));
}

TEST(SnapshotReaders, NotWhileACopyReadsIt) {
  PruneRig rig;
  Resource copy = rig.old;
  copy.name = "a-copy";
  copy.arn = "arn:aws:rds:ap-northeast-1:000000000000:snapshot:a-copy";
  copy.status = kCreating;
  copy.goal = kAvailable;
  copy.spec["SnapshotType"] = "manual";
  copy.spec["CopyFromSnapshotArn"] = rig.old.arn;
  ASSERT_TRUE(rig.catalog.createResource(copy).ok());
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.statusOfOld(), kAvailable);
}

}  // namespace
}  // namespace kura::rds
