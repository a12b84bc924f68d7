// The point a point-in-time restore goes to: the latest restorable time, or
// a given time inside the window.
#include <gtest/gtest.h>

#include "services/rds/rds_validation.h"

namespace kura::rds {
namespace {

TEST(RestoreTarget, TheLatestIsNeverBeforeTheEarliest) {
  // Just after the first backup, the followed latest time (whole seconds)
  // can trail the backup: the backup itself is the latest there is.
  nlohmann::json state = {{"EarliestRestorableTime", 1000.4}, {"LatestRestorableTime", 1000.0}};
  auto latest = restoreTargetOf({{"UseLatestRestorableTime", true}}, "RestoreTime", state, "db");
  ASSERT_TRUE(latest.ok());
  EXPECT_DOUBLE_EQ(*latest, 1000.4);
}

TEST(RestoreTarget, AGivenTimeMustBeInsideTheWindow) {
  nlohmann::json state = {{"EarliestRestorableTime", 1000.0}, {"LatestRestorableTime", 2000.0}};
  auto inside = restoreTargetOf({{"RestoreTime", 1500.0}}, "RestoreTime", state, "db");
  ASSERT_TRUE(inside.ok());
  EXPECT_DOUBLE_EQ(*inside, 1500.0);
  auto after = restoreTargetOf({{"RestoreTime", 2500.0}}, "RestoreTime", state, "db");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, "InvalidRestoreFault");
  auto both = restoreTargetOf({{"RestoreTime", 1500.0}, {"UseLatestRestorableTime", true}}, "RestoreTime", state, "db");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code, "InvalidParameterCombination");
}

}  // namespace
}  // namespace kura::rds
