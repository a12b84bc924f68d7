// PeriodicTask: passes at its interval until stopped; a pass may ask for a
// longer wait before the next one, and a stop does not wait it out.
#include "common/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../within.h"

namespace kura {
namespace {

using namespace std::chrono_literals;
using test_support::within;

TEST(PeriodicTask, PassesAtItsIntervalUntilStopped) {
  std::atomic<int> passes{0};
  PeriodicTask task("test task", 1ms, [&] { ++passes; });
  task.start();
  EXPECT_TRUE(within(5s, [&] { return passes >= 3; }));
  EXPECT_TRUE(task.stop());
  int after = passes;
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(passes, after);
  EXPECT_FALSE(task.stop());  // already stopped
}

TEST(PeriodicTask, APassMayWaitLongerBeforeTheNextAndAStopDoesNotWaitItOut) {
  std::atomic<int> passes{0};
  PeriodicTask* self = nullptr;
  PeriodicTask task("test task", 1ms, [&] {
    ++passes;
    self->waitLongerOnce(std::chrono::hours(1));
  });
  self = &task;
  task.start();
  ASSERT_TRUE(within(5s, [&] { return passes == 1; }));
  std::this_thread::sleep_for(50ms);  // at the 1 ms interval, dozens of passes
  EXPECT_EQ(passes, 1);
  EXPECT_TRUE(task.stop());  // returns at once, not after the hour
  EXPECT_EQ(passes, 1);
}

}  // namespace
}  // namespace kura
