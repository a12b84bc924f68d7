#include "common/group_commit.h"

#include "common/deferred_syncs.h"
#include "common/trail_carrier.h"

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

// A callback asked for a ticket runs once a sync that covers it has
// ended, on the thread that ran it (or at once if one has), with its
// outcome; a sync started meanwhile covers data handed over after it.
TEST(GroupCommit, WhenCoveredCallsBackAfterTheSyncThatCoversTheTicket) {
  std::atomic<uint64_t> handed{0}, durable{0};
  std::atomic<bool> fail{false};
  GroupCommit commit([&] {
    uint64_t covering = handed.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    durable.store(covering);
    return fail ? std::string("I/O error") : std::string();
  });
  constexpr int kCalls = 200;
  std::atomic<int> called{0}, uncovered{0}, otherThread{0};
  auto caller = std::this_thread::get_id();
  for (int i = 1; i <= kCalls; ++i) {
    handed.store(i);
    commit.whenCovered(commit.start(), [&, i](const std::string& error) {
      if (!error.empty() || durable.load() < static_cast<uint64_t>(i)) uncovered++;
      if (std::this_thread::get_id() != caller) otherThread++;
      called++;
    });
  }
  for (int i = 0; i < 500 && called.load() < kCalls; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(called.load(), kCalls);
  EXPECT_EQ(uncovered.load(), 0);
  EXPECT_GT(otherThread.load(), 0);
  EXPECT_LT(commit.syncs(), static_cast<uint64_t>(kCalls));  // shared
  // Covered already: called at once, here. A failed sync's error reaches
  // the callbacks it covered.
  uint64_t done = commit.start();
  EXPECT_EQ(commit.wait(done), "");
  bool atOnce = false;
  commit.whenCovered(done, [&](const std::string& error) { atOnce = error.empty(); });
  EXPECT_TRUE(atOnce);
  fail = true;
  std::atomic<bool> failed{false};
  commit.whenCovered(commit.start(), [&](const std::string& error) { failed = error == "I/O error"; });
  for (int i = 0; i < 500 && !failed; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(failed);
}

// The deferred waits of a call run before its scope ends, in order, and
// report the first error (as the waits' onFailure makes it); without a
// scope a store waits at once.
TEST(DeferredSyncs, WaitsRunBeforeTheScopeEndsAndReportTheFirstError) {
  EXPECT_EQ(DeferredSyncs::current(), nullptr);
  GroupCommit fine([] { return std::string(); });
  GroupCommit broken([] { return std::string("I/O error"); });
  std::vector<int> failures;
  {
    DeferredSyncs scope;
    ASSERT_EQ(DeferredSyncs::current(), &scope);
    {
      DeferredSyncs inner;  // a call made within a call: the outer scope collects
      EXPECT_EQ(DeferredSyncs::current(), &scope);
      EXPECT_FALSE(inner.waiting());
    }
    scope.defer(fine, fine.start());
    // A failure the call is answered despite (logged instead): no error.
    scope.defer(broken, broken.start(), [&](const std::string&) {
      failures.push_back(1);
      return std::string();
    });
    scope.defer(broken, broken.start(), [&](const std::string& error) {
      failures.push_back(2);
      return error;
    });
    scope.defer(broken, broken.start(), [&](const std::string&) {
      failures.push_back(3);
      return std::string("later error");
    });
    EXPECT_TRUE(scope.waiting());
    EXPECT_EQ(scope.waitAll(), "I/O error");
    EXPECT_FALSE(scope.waiting());
    EXPECT_EQ(failures, (std::vector<int>{1, 2, 3}));
    scope.defer(broken, broken.start(), [&](const std::string& error) {
      failures.push_back(4);
      return error;
    });
  }
  EXPECT_EQ(failures, (std::vector<int>{1, 2, 3, 4}));  // the destructor waited for the last
  EXPECT_EQ(DeferredSyncs::current(), nullptr);
}

// A call made within a call runs the outer call's waits; a failure it
// meets is still the outer call's to answer.
TEST(DeferredSyncs, AnOuterCallsFailureRunByAnInnerScopeIsStillReported) {
  GroupCommit broken([] { return std::string("I/O error"); });
  DeferredSyncs scope;
  scope.defer(broken, broken.start());
  {
    DeferredSyncs inner;
    EXPECT_EQ(inner.waitAll(), "I/O error");
  }
  EXPECT_EQ(scope.waitAll(), "I/O error");
}

// Released waits call back once, after every sync ended, with the first
// error in their order; the scope is left with nothing to wait for.
TEST(DeferredSyncs, ReleasedWaitsCallBackOnceAllSyncsEnded) {
  std::atomic<bool> slowDone{false};
  GroupCommit slow([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    slowDone = true;
    return std::string();
  });
  GroupCommit broken([] { return std::string("I/O error"); });
  std::atomic<int> calls{0};
  std::string outcome;
  std::atomic<bool> afterSlow{false};
  {
    DeferredSyncs scope;
    scope.defer(slow, slow.start());
    scope.defer(broken, broken.start());
    ASSERT_TRUE(scope.waiting());
    std::vector<PendingSync> waits = scope.release();
    EXPECT_FALSE(scope.waiting());
    DeferredSyncs::whenAll(std::move(waits), scope.firstError(), [&](const std::string& error) {
      outcome = error;
      afterSlow = slowDone.load();
      calls++;
    });
  }  // the scope's end waits for nothing now
  for (int i = 0; i < 500 && calls.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(afterSlow);
  EXPECT_EQ(outcome, "I/O error");
  // Nothing to wait for: called at once.
  bool atOnce = false;
  DeferredSyncs::whenAll({}, "", [&](const std::string& error) { atOnce = error.empty(); });
  EXPECT_TRUE(atOnce);
}

// A sync left to start later (deferStart) starts only when the waits are
// run or released, after everything written before; one per commit; and
// the carrier set in an inner scope is the outer scope's.
TEST(DeferredSyncs, ASyncLeftToStartStartsWhenTheWaitsRunOnceACommit) {
  std::atomic<int> syncs{0};
  GroupCommit commit([&] {
    syncs++;
    return std::string();
  });
  struct NoCarrier : TrailCarrier {
    uint64_t carry(std::string_view, std::string_view, uint64_t) override { return 0; }
    void settled(const std::vector<uint64_t>&) override {}
    std::optional<std::string> carriedRecord(uint64_t) override { return std::nullopt; }
  } carrier;
  {
    DeferredSyncs scope;
    {
      DeferredSyncs inner;  // (its end runs the outer scope's waits so far)
      inner.setCarrier(&carrier);
    }
    EXPECT_EQ(scope.carrier(), &carrier);
    scope.deferStart(commit);
    scope.deferStart(commit);  // the same, not started yet
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(syncs.load(), 0);  // nothing started it
    std::vector<PendingSync> waits = scope.release();
    ASSERT_EQ(waits.size(), 1u);
    EXPECT_NE(waits[0].ticket, 0u);
    EXPECT_EQ(commit.wait(waits[0].ticket), "");
    EXPECT_GE(syncs.load(), 1);
    // Left after one started: a new one, started by the scope's waitAll.
    scope.deferStart(commit);
    int before = syncs.load();
    EXPECT_EQ(scope.waitAll(), "");
    EXPECT_GT(syncs.load(), before);
  }
}

}  // namespace
}  // namespace kura
