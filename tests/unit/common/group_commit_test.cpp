#include "common/group_commit.h"

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

}  // namespace
}  // namespace kura
