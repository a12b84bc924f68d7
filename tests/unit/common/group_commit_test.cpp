#include "common/group_commit.h"

#include "common/deferred_syncs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace kura {
namespace {

// Every caller returns only once a sync that started after its data was
// handed over has ended, and concurrent callers share syncs.
TEST(GroupCommit, EveryCallerIsCoveredBySyncsItShares) {
  std::atomic<uint64_t> handed{0};    // data handed over so far
  std::atomic<uint64_t> durable{0};   // what the last sync covered
  GroupCommit commit([&] {
    uint64_t covering = handed.load();
    std::this_thread::sleep_for(std::chrono::microseconds(300));  // a disk's fdatasync
    uint64_t before = durable.load();
    while (before < covering && !durable.compare_exchange_weak(before, covering)) {
    }
    return std::string();
  });
  constexpr int kThreads = 8, kCalls = 50;
  std::atomic<int> uncovered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        uint64_t mine = ++handed;
        EXPECT_EQ(commit.syncCovering(), "");
        if (durable.load() < mine) ++uncovered;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(uncovered.load(), 0);
  // Shared: far fewer syncs than calls (at most about two per caller's turn).
  EXPECT_LT(commit.syncs(), static_cast<uint64_t>(kThreads * kCalls));
}

TEST(GroupCommit, AFailedSyncFailsTheCallersItCovered) {
  bool fail = true;
  GroupCommit commit([&] { return fail ? std::string("No space left on device") : std::string(); });
  EXPECT_EQ(commit.syncCovering(), "No space left on device");
  fail = false;
  EXPECT_EQ(commit.syncCovering(), "");
}

TEST(GroupCommit, ASyncThatThrowsIsAFailure) {
  GroupCommit commit([]() -> std::string { throw std::runtime_error("I/O error"); });
  EXPECT_EQ(commit.syncCovering(), "I/O error");
}

// start() and wait(): the sync runs on the commit's own thread, beside the
// caller's other work, and still covers what was handed over before start;
// callers mixing both ways and the background thread share syncs.
TEST(GroupCommit, AStartedSyncCoversWhatCameBeforeItAndIsWaitedFor) {
  std::atomic<uint64_t> handed{0};
  std::atomic<uint64_t> durable{0};
  GroupCommit commit([&] {
    uint64_t covering = handed.load();
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    uint64_t before = durable.load();
    while (before < covering && !durable.compare_exchange_weak(before, covering)) {
    }
    return std::string();
  });
  constexpr int kThreads = 8, kCalls = 50;
  std::atomic<int> uncovered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        uint64_t mine = ++handed;
        if ((t + i) % 2 == 0) {
          uint64_t ticket = commit.start();
          std::this_thread::sleep_for(std::chrono::microseconds(100));  // the trail's own sync meanwhile
          EXPECT_EQ(commit.wait(ticket), "");
        } else {
          EXPECT_EQ(commit.syncCovering(), "");
        }
        if (durable.load() < mine) ++uncovered;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(uncovered.load(), 0);
  EXPECT_LT(commit.syncs(), static_cast<uint64_t>(kThreads * kCalls));
}

TEST(GroupCommit, AStartedSyncThatFailsFailsItsWaiter) {
  std::atomic<bool> fail{true};
  GroupCommit commit([&] { return fail ? std::string("No space left on device") : std::string(); });
  EXPECT_EQ(commit.wait(commit.start()), "No space left on device");
  fail = false;
  EXPECT_EQ(commit.wait(commit.start()), "");
}

// The deferred waits of a call run before its scope ends, in order, and
// report the first error; without a scope a store waits at once.
TEST(DeferredSyncs, WaitsRunBeforeTheScopeEndsAndReportTheFirstError) {
  EXPECT_EQ(DeferredSyncs::current(), nullptr);
  std::vector<int> ran;
  {
    DeferredSyncs scope;
    ASSERT_EQ(DeferredSyncs::current(), &scope);
    {
      DeferredSyncs inner;  // a call made within a call: the outer scope collects
      EXPECT_EQ(DeferredSyncs::current(), &scope);
    }
    scope.defer([&] { ran.push_back(1); return std::string(); });
    scope.defer([&] { ran.push_back(2); return std::string("I/O error"); });
    scope.defer([&] { ran.push_back(3); return std::string("later error"); });
    EXPECT_EQ(scope.waitAll(), "I/O error");
    EXPECT_EQ(ran, (std::vector<int>{1, 2, 3}));
    scope.defer([&] { ran.push_back(4); return std::string(); });
  }
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3, 4}));  // the destructor waited for the last
  EXPECT_EQ(DeferredSyncs::current(), nullptr);
}

// A call made within a call runs the outer call's waits; a failure it
// meets is still the outer call's to answer.
TEST(DeferredSyncs, AnOuterCallsFailureRunByAnInnerScopeIsStillReported) {
  DeferredSyncs scope;
  scope.defer([] { return std::string("I/O error"); });
  {
    DeferredSyncs inner;
    EXPECT_EQ(inner.waitAll(), "I/O error");
  }
  EXPECT_EQ(scope.waitAll(), "I/O error");
}

}  // namespace
}  // namespace kura
