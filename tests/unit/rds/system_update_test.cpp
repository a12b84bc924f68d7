// The supervisor's part of pending system updates (system_update.cpp): an
// update opted in for the next maintenance window starts when the window
// opens, not before; an Aurora cluster's members one at a time, readers
// before the writer; and a server that cannot be looked at does not count
// as updated.
#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

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

// An Aurora cluster "c" of a writer "w" and readers "r1", "r2".
std::vector<Resource> auroraCluster(SupervisorRig& rig) {
  Resource cluster = SupervisorRig::draft(kCluster, "c", "cluster:", kAvailable);
  cluster.spec = {{"Engine", "aurora-postgresql"}};
  cluster.state = {{"Writer", "arn:aws:rds:ap-northeast-1:000000000000:db:w"}, {"Port", 1}, {"ReaderPort", 2}};
  EXPECT_TRUE(rig.catalog.createResource(cluster).ok());
  std::vector<Resource> members;
  for (const char* name : {"w", "r1", "r2"}) {
    members.push_back(rig.addInstance(name, kAvailable));
    rig.update(members.back().arn, [&](Resource& r) {
      r.spec["ClusterArn"] = cluster.arn;
      r.spec["DBClusterIdentifier"] = "c";
      r.spec["Engine"] = "aurora-postgresql";
      // Readers that stream from the writer (else the supervisor copies them again from it).
      if (std::string(name) != "w") r.state["Upstream"] = cluster.state["Writer"];
    });
  }
  return members;
}

TEST(SystemUpdate, AClustersReadersGoBeforeItsWriterOneAtATime) {
  SupervisorRig rig;
  std::vector<Resource> members = auroraCluster(rig);
  Resource writer = members[0], first = members[1], second = members[2];
  for (const Resource& member : members) optIn(rig, member, windowAround(rig.clock->now()));
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

// Noticed by the supervisor (its servers run an older executable), not
// opted in: pending until its AutoAppliedAfterDate, written when it was
// noticed, then applied in the first window after it; never when the
// automatic date is turned off (0).
Resource noticed(SupervisorRig& rig, const std::string& name, const std::string& window) {
  rig.engine.executable = InstanceEngine::ServerExecutable::kReplaced;
  Resource instance = rig.addInstance(name, kAvailable);
  rig.update(instance.arn, [&](Resource& r) { r.spec["PreferredMaintenanceWindow"] = window; });
  return instance;
}

TEST(SystemUpdate, AnUpdateNobodyAskedForGoesInTheFirstWindowAfterItsAutomaticDate) {
  SupervisorRig rig;
  rig.supervisor.setSystemUpdateAutoApply(std::chrono::hours(24 * 10));
  Resource instance = noticed(rig, "db", windowAround(rig.clock->now()));
  rig.supervisor.checkOnce();
  Resource pending = fresh(rig, instance);
  EXPECT_EQ(pending.status, kAvailable);  // the window is open, the date not reached
  auto after = systemUpdateAutoAppliedAfter(pending, std::chrono::hours(24 * 10));
  ASSERT_TRUE(after);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(*after - rig.clock->now()).count(), 10 * 24 * 3600);
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

TEST(SystemUpdate, TheDateIsWrittenOnceAndNoServerSeenOnTheOldExecutableRestartsNothing) {
  SupervisorRig rig;
  rig.supervisor.setSystemUpdateAutoApply(std::chrono::hours(1));
  Resource instance = noticed(rig, "db", windowAround(rig.clock->now(), 3));
  rig.supervisor.checkOnce();
  auto first = systemUpdateAutoAppliedAfter(fresh(rig, instance), std::chrono::hours(1));
  ASSERT_TRUE(first);
  // A later setting moves no date already written.
  rig.supervisor.setSystemUpdateAutoApply(std::chrono::hours(2));
  rig.clock->advance(std::chrono::seconds(11));
  rig.supervisor.checkOnce();
  EXPECT_EQ(systemUpdateAutoAppliedAfter(fresh(rig, instance), std::chrono::hours(2)), first);
  // In the window, past the date, but its servers cannot be looked at now:
  // nothing restarts by itself.
  rig.engine.executable = InstanceEngine::ServerExecutable::kUnknown;
  rig.clock->advance(std::chrono::hours(3));
  rig.supervisor.checkOnce();
  EXPECT_EQ(fresh(rig, instance).status, kAvailable);
  rig.engine.executable = InstanceEngine::ServerExecutable::kReplaced;
  rig.clock->advance(std::chrono::seconds(11));
  rig.supervisor.checkOnce();
  EXPECT_EQ(fresh(rig, instance).status, kRebooting);
}

TEST(SystemUpdate, AWritersDatePassedWaitsForReadersWhoseDatesComeLater) {
  SupervisorRig rig;
  rig.supervisor.setSystemUpdateAutoApply(std::chrono::hours(1));
  rig.engine.executable = InstanceEngine::ServerExecutable::kReplaced;
  std::vector<Resource> members = auroraCluster(rig);
  double now = toEpochSeconds(rig.clock->now());
  for (const Resource& member : members) {
    bool writer = member.name == "w";
    rig.update(member.arn, [&](Resource& r) {
      r.spec["PreferredMaintenanceWindow"] = windowAround(rig.clock->now());
      // The writer noticed long ago; the readers later (busy then).
      r.state["SystemUpdate"] = {{"Since", now}, {"AutoAppliedAfter", writer ? now - 3600 : now + 1800}};
    });
  }
  rig.supervisor.checkOnce();
  for (const Resource& member : members) EXPECT_EQ(fresh(rig, member).status, kAvailable) << member.name;
  // The readers' dates come within the window: one reader, then the other,
  // then the writer.
  rig.clock->advance(std::chrono::minutes(31));
  rig.supervisor.checkOnce();
  EXPECT_EQ(fresh(rig, members[0]).status, kAvailable);
  EXPECT_EQ((fresh(rig, members[1]).status == kRebooting) + (fresh(rig, members[2]).status == kRebooting), 1);
}

TEST(SystemUpdate, WithoutAnAutomaticDateOnlyAnOptInApplies) {
  SupervisorRig rig;
  rig.supervisor.setSystemUpdateAutoApply(std::chrono::seconds(0));
  Resource instance = noticed(rig, "db", windowAround(rig.clock->now()));
  for (int week = 0; week < 3; ++week) {
    rig.supervisor.checkOnce();
    EXPECT_EQ(fresh(rig, instance).status, kAvailable) << week;
    EXPECT_TRUE(fresh(rig, instance).state.contains("SystemUpdate"));
    rig.clock->advance(std::chrono::hours(24 * 7));
  }
  EXPECT_FALSE(systemUpdateAutoAppliedAfter(fresh(rig, instance), std::chrono::seconds(0)));
  rig.update(instance.arn, [](Resource& r) { r.state["SystemUpdateOptIn"] = "next-maintenance"; });
  rig.supervisor.checkOnce();
  EXPECT_EQ(fresh(rig, instance).status, kRebooting);
}

TEST(SystemUpdate, AnAutomaticTryThatFailedWaitsToBeAskedFor) {
  Resource instance;
  EXPECT_FALSE(systemUpdateAutoAppliedAfter(instance, std::chrono::hours(1)));
  instance.state["SystemUpdate"] = {{"Since", 1000.0}, {"AutoAppliedAfter", 4600.0}};
  auto after = systemUpdateAutoAppliedAfter(instance, std::chrono::hours(1));
  ASSERT_TRUE(after);
  EXPECT_DOUBLE_EQ(toEpochSeconds(*after), 4600.0);
  EXPECT_FALSE(systemUpdateDueInWindow(instance, *after - std::chrono::seconds(1), std::chrono::hours(1)));
  EXPECT_TRUE(systemUpdateDueInWindow(instance, *after, std::chrono::hours(1)));
  EXPECT_TRUE(systemUpdateScheduled(instance, std::chrono::hours(1)));
  EXPECT_FALSE(systemUpdateScheduled(instance, std::chrono::seconds(0)));  // turned off: no date
  instance.state["SystemUpdate"]["AutoApplyFailed"] = true;
  EXPECT_FALSE(systemUpdateAutoAppliedAfter(instance, std::chrono::hours(1)));
  EXPECT_FALSE(systemUpdateDueInWindow(instance, *after, std::chrono::hours(1)));
  instance.state["SystemUpdateOptIn"] = "next-maintenance";
  EXPECT_TRUE(systemUpdateDueInWindow(instance, *after - std::chrono::hours(2), std::chrono::hours(1)));
}

}  // namespace
}  // namespace kura::rds
