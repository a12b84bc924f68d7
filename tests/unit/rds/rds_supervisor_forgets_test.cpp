// The RDS supervisor's per-resource state (when an instance's metrics were
// recorded, its snapshots pruned, its archive followed...) goes with the
// instance: a server whose instances come and go does not grow.
#include <gtest/gtest.h>

#include <vector>

#include "supervisor_rig.h"

namespace kura::rds {
namespace {

using testing::SupervisorRig;

TEST(RdsSupervisorForgets, AnInstancesEntriesGoWithIt) {
  SupervisorRig rig;
  Catalog& catalog = rig.catalog;
  RdsSupervisor& supervisor = rig.supervisor;
  std::vector<Resource> instances = {rig.addInstance("first", kAvailable), rig.addInstance("second", kAvailable)};
  supervisor.checkOnce();
  size_t both = supervisor.trackedEntries();
  EXPECT_GE(both, 4u);  // at least its metrics' and its pruning's times, for each

  rig.setStatus(instances[0].arn, kDeleted);
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.trackedEntries(), both / 2);
  ASSERT_TRUE(catalog.removeResource(instances[1].id).ok());
  supervisor.checkOnce();
  EXPECT_EQ(supervisor.trackedEntries(), 0u);
}

}  // namespace
}  // namespace kura::rds
