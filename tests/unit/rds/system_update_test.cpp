// The supervisor's part of pending system updates (system_update.cpp): an
// update opted in for the next maintenance window starts when the window
// opens, not before; an Aurora cluster's members one at a time, readers
// before the writer; and a server that cannot be looked at does not count
// as updated.
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "common/time_format.h"
#include "services/rds/cluster_records.h"
#include "services/rds/system_update_schedule.h"
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

// Noticed now, not opted in: pending until its AutoAppliedAfterDate, then
// applied in the first window after it; never when the automatic date is
// turned off (0).
void notice(SupervisorRig& rig, const Resource& instance, const std::string& window) {
  rig.update(instance.arn, [&](Resource& r) {
    r.spec["PreferredMaintenanceWindow"] = window;
    r.state["SystemUpdate"] = {{"Since", toEpochSeconds(rig.clock->now())}};
  });
}

TEST(SystemUpdate, AnUpdateNobodyAskedForGoesInTheFirstWindowAfterItsAutomaticDate) {
  SupervisorRig rig;
  rig.supervisor.setSystemUpdateAutoApply(std::chrono::hours(24 * 10));
  Resource instance = rig.addInstance("db", kAvailable);
  notice(rig, instance, windowAround(rig.clock->now()));
  rig.supervisor.checkOnce();
  EXPECT_EQ(fresh(rig, instance).status, kAvailable);  // the window is open, the date not reached
  rig.clock->advance(std::chrono::hours(24 * 7));
  rig.supervisor.checkOnce();
  EXPECT_EQ(fresh(rig, instance).status, kAvailable);  // the window again, seven days on: still before it
  rig.clock->advance(std::chrono::hours(24 * 4));
  rig.supervisor.checkOnce();
  EXPECT_EQ(fresh(rig, instance).status, kAvailable);  // past the date, outside the window
  rig.clock->advance(std::chrono::hours(24 * 3));
  rig.supervisor.checkOnce();
  Resource updating = fresh(rig, instance);
  EXPECT_EQ(updating.status, kRebooting);  // the first window after the date
  EXPECT_TRUE(updating.state.value("SystemUpdating", false));
}

TEST(SystemUpdate, WithoutAnAutomaticDateOnlyAnOptInApplies) {
  SupervisorRig rig;
  rig.supervisor.setSystemUpdateAutoApply(std::chrono::seconds(0));
  Resource instance = rig.addInstance("db", kAvailable);
  notice(rig, instance, windowAround(rig.clock->now()));
  for (int week = 0; week < 3; ++week) {
    rig.supervisor.checkOnce();
    EXPECT_EQ(fresh(rig, instance).status, kAvailable) << week;
    rig.clock->advance(std::chrono::hours(24 * 7));
  }
  EXPECT_FALSE(systemUpdateAutoAppliedAfter(fresh(rig, instance), std::chrono::seconds(0)));
  rig.update(instance.arn, [](Resource& r) { r.state["SystemUpdateOptIn"] = "next-maintenance"; });
  rig.supervisor.checkOnce();
  EXPECT_EQ(fresh(rig, instance).status, kRebooting);
}

TEST(SystemUpdate, TheAutomaticDateIsWhenTheUpdateWasNoticedPlusTheDelay) {
  Resource instance;
  EXPECT_FALSE(systemUpdateAutoAppliedAfter(instance, std::chrono::hours(1)));
  instance.state["SystemUpdate"] = {{"Since", 1000.0}};
  auto after = systemUpdateAutoAppliedAfter(instance, std::chrono::hours(1));
  ASSERT_TRUE(after);
  EXPECT_DOUBLE_EQ(toEpochSeconds(*after), 1000.0 + 3600.0);
  EXPECT_FALSE(systemUpdateDueInWindow(instance, *after - std::chrono::seconds(1), std::chrono::hours(1)));
  EXPECT_TRUE(systemUpdateDueInWindow(instance, *after, std::chrono::hours(1)));
  instance.state["SystemUpdateOptIn"] = "next-maintenance";
  EXPECT_TRUE(systemUpdateDueInWindow(instance, *after - std::chrono::hours(2), std::chrono::hours(1)));
}

}  // namespace
}  // namespace kura::rds
