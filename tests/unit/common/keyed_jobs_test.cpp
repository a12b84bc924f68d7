// KeyedJobs: at most one job a key, off the caller's thread; a stop cuts
// the running ones short (their tools see toolCutDue) and drops the queued.
#include "common/keyed_jobs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "common/tool_cut.h"
#include "../within.h"

namespace kura {
namespace {

using namespace std::chrono_literals;
using test_support::within;


// What a tool does while it runs: ends by itself after `limit`, or is cut.
void runLikeATool(std::chrono::milliseconds limit) {
  for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
    if (toolCutDue()) cutShort();
    std::this_thread::sleep_for(5ms);
  }
}

TEST(KeyedJobs, OneJobAKeyAtATimeAndOthersBesideIt) {
  KeyedJobs jobs("test jobs", 2);
  std::atomic<bool> release{false};
  std::atomic<int> ranA{0}, ranB{0};
  ASSERT_TRUE(jobs.submit("a", [&] {
    ++ranA;
    while (!release) std::this_thread::sleep_for(5ms);
  }));
  EXPECT_TRUE(jobs.busy("a"));
  EXPECT_FALSE(jobs.submit("a", [&] { ++ranA; }));  // one for "a" runs already
  ASSERT_TRUE(jobs.submit("b", [&] { ++ranB; }));   // another key runs beside it
  EXPECT_TRUE(within(5s, [&] { return ranB == 1 && !jobs.busy("b"); }));
  EXPECT_TRUE(jobs.busy("a"));
  release = true;
  EXPECT_TRUE(within(5s, [&] { return !jobs.busy("a"); }));
  EXPECT_EQ(ranA, 1);
  // Done: "a" may run again.
  ASSERT_TRUE(jobs.submit("a", [&] { ++ranA; }));
  EXPECT_TRUE(within(5s, [&] { return ranA == 2 && !jobs.busy("a"); }));
}

TEST(KeyedJobs, AJobThatFailsLeavesItsWorkerToTheNext) {
  KeyedJobs jobs("test jobs", 1);
  std::atomic<bool> ran{false};
  ASSERT_TRUE(jobs.submit("a", [] { throw std::runtime_error("broken"); }));
  ASSERT_TRUE(jobs.submit("b", [&] { ran = true; }));
  EXPECT_TRUE(within(5s, [&] { return ran && !jobs.busy("a") && !jobs.busy("b"); }));
}

TEST(KeyedJobs, AStopCutsTheRunningJobShortAndDropsTheQueued) {
  KeyedJobs jobs("test jobs", 1);
  std::atomic<bool> started{false}, cut{false}, queuedRan{false};
  ASSERT_TRUE(jobs.submit("long", [&] {
    started = true;
    try {
      runLikeATool(60s);
    } catch (const ToolCut&) {
      cut = true;
      throw;
    }
  }));
  ASSERT_TRUE(jobs.submit("queued", [&] { queuedRan = true; }));  // waits: one worker
  ASSERT_TRUE(within(5s, [&] { return started.load(); }));
  jobs.stop();
  EXPECT_TRUE(cut);  // the tool saw the cut: the stop did not wait for its 60 s
  EXPECT_FALSE(queuedRan);
  EXPECT_FALSE(jobs.busy("long"));
  EXPECT_FALSE(jobs.busy("queued"));
  EXPECT_FALSE(jobs.submit("later", [] {}));  // stopped: refused
}

TEST(KeyedJobs, ACutRaisedBeforeTheStopEndsTheToolWithoutWaitingForIt) {
  KeyedJobs jobs("test jobs", 1);
  std::atomic<bool> started{false};
  ASSERT_TRUE(jobs.submit("long", [&] {
    started = true;
    runLikeATool(60s);
  }));
  ASSERT_TRUE(within(5s, [&] { return started.load(); }));
  jobs.cut();  // returns at once; the job ends by itself
  EXPECT_TRUE(within(10s, [&] { return !jobs.busy("long"); }));
  jobs.stop();
}

TEST(KeyedJobs, NoThreadUntilTheFirstJob) {
  KeyedJobs jobs("test jobs", 4);
  jobs.stop();  // nothing to join
  EXPECT_FALSE(jobs.submit("a", [] {}));
}

}  // namespace
}  // namespace kura
