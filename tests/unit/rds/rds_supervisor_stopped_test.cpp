// A stopped instance with nothing left to do is passed over by the RDS
// supervisor's passes without its record being parsed, until the record
// changes: with thousands of instances stopped, parsing every record twice
// a second was most of an idle Kura's CPU.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "supervisor_rig.h"

namespace kura::rds {
namespace {

using testing::SupervisorRig;

TEST(RdsSupervisorStopped, ASettledStoppedInstanceIsPassedOverUntilItsRecordChanges) {
  SupervisorRig rig;
  Catalog& catalog = rig.catalog;
  RdsSupervisor& supervisor = rig.supervisor;
  std::map<std::string, Resource> instances;
  instances["running"] = rig.addInstance("running", kAvailable);
  instances["stopped"] = rig.addInstance("stopped", kStopped);
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.watchedLastPass(), 2u);  // the first look at each
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.watchedLastPass(), 1u);  // the stopped one settled
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.watchedLastPass(), 1u);

  // Its record changed (a modification while stopped): looked at again once.
  rig.update(instances["stopped"].arn, [](Resource& record) { record.spec["AllocatedStorage"] = 30; });
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.watchedLastPass(), 2u);
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.watchedLastPass(), 1u);

  // Started: watched on every pass again.
  rig.setStatus(instances["stopped"].arn, kAvailable);
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.watchedLastPass(), 2u);
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.watchedLastPass(), 2u);

  // Stopped again and then deleted: its entry goes with it.
  rig.setStatus(instances["stopped"].arn, kStopped);
  supervisor.checkOnce();
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.watchedLastPass(), 1u);
  size_t withStopped = supervisor.trackedEntries();
  ASSERT_TRUE(catalog.removeResource(instances["stopped"].id).ok());
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.watchedLastPass(), 1u);
  EXPECT_LT(supervisor.trackedEntries(), withStopped);
}

}  // namespace
}  // namespace kura::rds
