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

// A job that runs a tool for a minute unless cut: says when it started and
// whether it saw the cut.
KeyedJobs::Job untilCut(std::atomic<bool>& started, std::atomic<bool>& cut) {
  return [&started, &cut] {
    started = true;
    try {
      runLikeATool(60s);
    } catch (const ToolCut&) {
      cut = true;
      throw;
    }
    return true;
  };
}

TEST(KeyedJobs, OneJobAKeyAtATimeAndOthersBesideIt) {
  KeyedJobs jobs("test jobs", 2);
  std::atomic<bool> release{false};
  std::atomic<int> ranA{0}, ranB{0};
  ASSERT_TRUE(jobs.submit("a", [&] {
    ++ranA;
    while (!release) std::this_thread::sleep_for(5ms);
    return true;
  }));
  EXPECT_TRUE(jobs.busy("a"));
  EXPECT_FALSE(jobs.submit("a", [&] { return ++ranA > 0; }));  // one for "a" runs already
  ASSERT_TRUE(jobs.submit("b", [&] { return ++ranB > 0; }));   // another key runs beside it
  EXPECT_TRUE(within(5s, [&] { return ranB == 1 && !jobs.busy("b"); }));
  EXPECT_TRUE(jobs.busy("a"));
  release = true;
  EXPECT_TRUE(within(5s, [&] { return !jobs.busy("a"); }));
  EXPECT_EQ(ranA, 1);
  // Done: "a" may run again.
  ASSERT_TRUE(jobs.submit("a", [&] { return ++ranA > 0; }));
  EXPECT_TRUE(within(5s, [&] { return ranA == 2 && !jobs.busy("a"); }));
}

TEST(KeyedJobs, AJobThatFailsLeavesItsWorkerToTheNext) {
  KeyedJobs jobs("test jobs", 1);
  std::atomic<bool> ran{false};
  ASSERT_TRUE(jobs.submit("a", []() -> bool { throw std::runtime_error("broken"); }));
  ASSERT_TRUE(jobs.submit("b", [&] { return ran = true; }));
  EXPECT_TRUE(within(5s, [&] { return ran && !jobs.busy("a") && !jobs.busy("b"); }));
}

TEST(KeyedJobs, AStopCutsTheRunningJobShortAndDropsTheQueued) {
  KeyedJobs jobs("test jobs", 1);
  std::atomic<bool> started{false}, cut{false}, queuedRan{false};
  ASSERT_TRUE(jobs.submit("long", untilCut(started, cut)));
  ASSERT_TRUE(jobs.submit("queued", [&] { return queuedRan = true; }));  // waits: one worker
  ASSERT_TRUE(within(5s, [&] { return started.load(); }));
  jobs.stop();
  EXPECT_TRUE(cut);  // the tool saw the cut: the stop did not wait for its 60 s
  EXPECT_FALSE(queuedRan);
  EXPECT_FALSE(jobs.busy("long"));
  EXPECT_FALSE(jobs.busy("queued"));
  EXPECT_FALSE(jobs.submit("later", [] { return true; }));  // stopped: refused
}

TEST(KeyedJobs, ACutRaisedBeforeTheStopEndsTheToolWithoutWaitingForIt) {
  KeyedJobs jobs("test jobs", 1);
  std::atomic<bool> started{false};
  ASSERT_TRUE(jobs.submit("long", [&] {
    started = true;
    runLikeATool(60s);
    return true;
  }));
  ASSERT_TRUE(within(5s, [&] { return started.load(); }));
  jobs.cut();  // returns at once; the job ends by itself
  EXPECT_TRUE(within(10s, [&] { return !jobs.busy("long"); }));
  jobs.stop();
}

TEST(KeyedJobs, NoThreadUntilTheFirstJob) {
  KeyedJobs jobs("test jobs", 4);
  jobs.stop();  // nothing to join
  EXPECT_FALSE(jobs.submit("a", [] { return true; }));
}

TEST(KeyedJobs, AFailedJobHoldsItsKeyOffButNotOthers) {
  // A backoff no test outlasts: a refusal below is the backoff's, not a race.
  KeyedJobs held("test jobs", 1, std::chrono::hours(1), std::chrono::hours(1));
  std::atomic<int> failedRuns{0};
  ASSERT_TRUE(held.submit("a", [&] { return ++failedRuns < 0; }));  // fails
  ASSERT_TRUE(within(5s, [&] { return !held.busy("a"); }));
  EXPECT_FALSE(held.submit("a", [] { return true; }));      // held off
  ASSERT_TRUE(held.submit("b", []() -> bool { throw std::runtime_error("broken"); }));
  ASSERT_TRUE(within(5s, [&] { return !held.busy("b"); }));
  EXPECT_FALSE(held.submit("b", [] { return true; }));      // a throw is a failure too
  EXPECT_TRUE(held.submit("c", [] { return true; }));       // other keys are not
  // A cancel (the resource is being deleted or stopped) ends the backoff.
  EXPECT_TRUE(held.cancel("a"));
  EXPECT_TRUE(held.submit("a", [] { return true; }));

  // Without a backoff a failed key takes a job at once; a success leaves it free.
  KeyedJobs free("test jobs", 1, 0ms, 0ms);
  ASSERT_TRUE(free.submit("a", [] { return false; }));
  ASSERT_TRUE(within(5s, [&] { return !free.busy("a"); }));
  std::atomic<bool> ranAgain{false};
  EXPECT_TRUE(free.submit("a", [&] { return ranAgain = true; }));
  EXPECT_TRUE(within(5s, [&] { return ranAgain && !free.busy("a"); }));
}

TEST(KeyedJobs, TheBackoffDoublesUpToItsCapAndASuccessOrACutEndsIt) {
  KeyedJobs jobs("test jobs", 1, 10ms, 40ms);
  // Each job of "a" is submitted as soon as the key takes one again.
  auto runOnce = [&](KeyedJobs::Job job) {
    ASSERT_TRUE(within(5s, [&] { return jobs.submit("a", job); }));
    ASSERT_TRUE(within(5s, [&] { return !jobs.busy("a"); }));
  };
  auto fail = [] { return false; };
  runOnce(fail);
  EXPECT_EQ(jobs.backoffOf("a"), 10ms);
  runOnce(fail);
  EXPECT_EQ(jobs.backoffOf("a"), 20ms);
  runOnce(fail);
  EXPECT_EQ(jobs.backoffOf("a"), 40ms);
  runOnce(fail);
  EXPECT_EQ(jobs.backoffOf("a"), 40ms);  // the cap
  runOnce([] { return true; });
  EXPECT_EQ(jobs.backoffOf("a"), 0ms);
  runOnce(fail);
  EXPECT_EQ(jobs.backoffOf("a"), 10ms);  // from the start again
  // A job cut short (its tool threw ToolCut) did not fail: no backoff after it.
  runOnce([]() -> bool { cutShort(); });
  EXPECT_EQ(jobs.backoffOf("a"), 0ms);
}

TEST(KeyedJobs, ACancelDropsAQueuedJobAndCutsARunningOneOfItsKeyOnly) {
  KeyedJobs jobs("test jobs", 1);
  std::atomic<bool> started{false}, cut{false}, otherFinished{false}, queuedRan{false};
  ASSERT_TRUE(jobs.submit("long", untilCut(started, cut)));
  ASSERT_TRUE(within(5s, [&] { return started.load(); }));
  ASSERT_TRUE(jobs.submit("queued", [&] { return queuedRan = true; }));  // waits: one worker
  EXPECT_TRUE(jobs.cancel("queued"));                                      // dropped, never run
  EXPECT_FALSE(jobs.busy("queued"));
  EXPECT_TRUE(jobs.cancel("nothing"));  // no job of that key: nothing to wait for
  // The running job is cut, not waited for: the cancel answers false until it has ended.
  EXPECT_FALSE(jobs.cancel("long"));
  EXPECT_TRUE(within(10s, [&] { return jobs.cancel("long"); }));
  EXPECT_TRUE(cut);
  EXPECT_FALSE(queuedRan);
  // The worker goes on with later jobs, which are not cut.
  ASSERT_TRUE(jobs.submit("other", [&] {
    runLikeATool(50ms);
    return otherFinished = true;
  }));
  EXPECT_TRUE(within(5s, [&] { return !jobs.busy("other"); }));
  EXPECT_TRUE(otherFinished);
  // And the key takes a job again at once.
  EXPECT_TRUE(jobs.submit("long", [] { return true; }));
  jobs.stop();
}

}  // namespace
}  // namespace kura
