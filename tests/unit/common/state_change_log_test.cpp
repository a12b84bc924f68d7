// A repeating condition is logged once per change of state (state_change_log.h).
#include "common/state_change_log.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

TEST(StateChangeLog, LogsTheFirstTimeAChangeAndTheEndOnly) {
  StateChangeLog log;
  EXPECT_FALSE(log.ended("group-a"));  // nothing to end
  EXPECT_TRUE(log.entered("group-a", "ERR CONFIG SET failed"));
  for (int pass = 0; pass < 60; ++pass) EXPECT_FALSE(log.entered("group-a", "ERR CONFIG SET failed"));
  EXPECT_TRUE(log.entered("group-b", "ERR CONFIG SET failed"));  // each key its own
  EXPECT_TRUE(log.entered("group-a", "connection refused"));     // another error
  EXPECT_FALSE(log.entered("group-a", "connection refused"));
  EXPECT_TRUE(log.ended("group-a"));
  EXPECT_FALSE(log.ended("group-a"));
  EXPECT_TRUE(log.entered("group-a", "connection refused"));  // met again after it ended
}

}  // namespace
}  // namespace kura
