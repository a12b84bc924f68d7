#include "services/rds/stop_limit.h"

#include <gtest/gtest.h>

#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

using std::chrono::seconds;

Resource stopped(SystemTime updatedAt) {
  Resource resource;
  resource.kind = kCluster;
  resource.status = kStopped;
  resource.goal = kStopped;
  resource.updatedAt = updatedAt;
  return resource;
}

TEST(StopLimitTest, AStoppedResourceStartsItsLimitAfterItStopped) {
  SystemTime changed = SystemTime(seconds(2'000'000'000));
  Resource resource = stopped(changed);
  resource.state["StoppedAt"] = 1'999'999'000.5;
  auto restart = automaticRestartTime(resource, kDefaultStopLimit);
  ASSERT_TRUE(restart);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(restart->time_since_epoch()).count(),
            (1'999'999'000 + 7 * 24 * 3600) * 1000LL + 500);
  // Stopped by an older Kura (no StoppedAt): from its record's last change.
  resource.state.erase("StoppedAt");
  EXPECT_EQ(automaticRestartTime(resource, seconds(60)), changed + seconds(60));
}

TEST(StopLimitTest, NothingRunningOrOnItsWayNorALimitOfZeroRestarts) {
  Resource resource = stopped(SystemTime(seconds(100)));
  EXPECT_FALSE(automaticRestartTime(resource, seconds(0)));
  for (const char* status : {kAvailable, kStopping, kStarting}) {
    resource.status = status;
    EXPECT_FALSE(automaticRestartTime(resource, kDefaultStopLimit)) << status;
  }
  resource.status = kStopped;
  resource.goal = kAvailable;  // a StartDBCluster recorded, not yet settled
  EXPECT_FALSE(automaticRestartTime(resource, kDefaultStopLimit));
}

}  // namespace
}  // namespace kura::rds
