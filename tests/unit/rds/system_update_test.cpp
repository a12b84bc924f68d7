// The supervisor's part of pending system updates (system_update.cpp): an
// update opted in for the next maintenance window starts when the window
// opens, not before; an Aurora cluster's members one at a time, readers
// before the writer; and a server that cannot be looked at does not count
// as updated.
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "services/rds/cluster_records.h"
#include "supervisor_rig.h"

namespace kura::rds {
namespace {

using testing::SupervisorRig;

// A weekly window of an hour that is open at `t` (or opens an hour after it).
std::string windowAround(SystemTime t, int hoursLater = 0) {
  static const char* days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  auto at = [&](SystemTime when) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[16];
    std::snprintf(text, sizeof text, "%s:%02d:%02d", days[utc.tm_wday], utc.tm_hour, utc.tm_min);
    return std::string(text);
  };
  SystemTime start = t + std::chrono::hours(hoursLater) - std::chrono::minutes(1);
  return at(start) + "-" + at(start + std::chrono::hours(1));
}

void optIn(SupervisorRig& rig, const Resource& instance, const std::string& window) {
  rig.update(instance.arn, [&](Resource& r) {
    r.spec["PreferredMaintenanceWindow"] = window;
    r.state["SystemUpdate"] = {{"Since", 1}};
    r.state["SystemUpdateOptIn"] = "next-maintenance";
  });
}

Resource fresh(SupervisorRig& rig, const Resource& r) { return *rig.catalog.getResourceByArn(r.arn); }

TEST(SystemUpdate, AnOptedInUpdateStartsWhenTheWindowOpens) {
  SupervisorRig rig;
  Resource instance = rig.addInstance("db", kAvailable);
  optIn(rig, instance, windowAround(rig.clock->now(), 2));
  rig.supervisor.checkOnce();
  EXPECT_EQ(fresh(rig, instance).status, kAvailable);
  // This engine cannot say what its servers run: the update stays pending.
  EXPECT_TRUE(fresh(rig, instance).state.contains("SystemUpdate"));
  rig.clock->advance(std::chrono::hours(2));
  rig.supervisor.checkOnce();
  Resource updating = fresh(rig, instance);
  EXPECT_EQ(updating.status, kRebooting);
  EXPECT_TRUE(updating.state.value("SystemUpdating", false));
}

TEST(SystemUpdate, AClustersReadersGoBeforeItsWriterOneAtATime) {
  SupervisorRig rig;
  Resource cluster = SupervisorRig::draft(kCluster, "c", "cluster:", kAvailable);
  cluster.spec = {{"Engine", "aurora-postgresql"}};
  cluster.state = {{"Writer", "arn:aws:rds:ap-northeast-1:000000000000:db:w"}, {"Port", 1}, {"ReaderPort", 2}};
  ASSERT_TRUE(rig.catalog.createResource(cluster).ok());
  Resource writer = rig.addInstance("w", kAvailable), first = rig.addInstance("r1", kAvailable),
           second = rig.addInstance("r2", kAvailable);
  for (const Resource& member : {writer, first, second}) {
    rig.update(member.arn, [&](Resource& r) {
      r.spec["ClusterArn"] = cluster.arn;
      r.spec["DBClusterIdentifier"] = "c";
      r.spec["Engine"] = "aurora-postgresql";
    });
    optIn(rig, member, windowAround(rig.clock->now()));
  }
  rig.supervisor.checkOnce();
  int rebooting = 0;
  for (const Resource& member : {first, second}) rebooting += fresh(rig, member).status == kRebooting;
  EXPECT_EQ(rebooting, 1);  // one reader at a time
  EXPECT_EQ(fresh(rig, writer).status, kAvailable);
  // Each reader done in turn, then the writer.
  for (int round = 0; round < 2; ++round) {
    for (const Resource& member : {first, second}) {
      if (fresh(rig, member).status != kRebooting) continue;
      rig.update(member.arn, [](Resource& r) {
        r.status = r.goal = kAvailable;
        r.state.erase("SystemUpdating");
        r.state.erase("SystemUpdate");
        r.state.erase("SystemUpdateOptIn");
      });
    }
    rig.clock->advance(std::chrono::seconds(11));
    rig.supervisor.checkOnce();
    if (round == 0) {
      EXPECT_EQ(fresh(rig, writer).status, kAvailable);
    }
  }
  EXPECT_EQ(fresh(rig, writer).status, kRebooting);
}

}  // namespace
}  // namespace kura::rds
