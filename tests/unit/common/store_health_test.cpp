#include "common/store_health.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kura {
namespace {

// A probe that runs until the test releases it (30 s at most).
void blockUntil(const std::atomic<bool>& release) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!release && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

// "store" failing, with such a probe; `heals`: what the probe answers;
// `probes`, when given, counts the probes begun.
void failingWithBlockedProbe(StoreHealth& health, const std::atomic<bool>& release, bool heals,
                             std::atomic<int>* probes = nullptr) {
  health.setProbe("store", [&release, heals, probes] {
    if (probes != nullptr) ++*probes;
    blockUntil(release);
    return heals;
  });
  health.failing("store", "disk full: store");
}

// Whether health has no problem left within 10 s.
bool healedSoon(StoreHealth& health) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!health.problems().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return health.problems().empty();
}

TEST(StoreHealth, AProbeRunsOnlyWhileItsStoreIsFailing) {
  StoreHealth health;
  int probes = 0;
  health.setProbe("store", [&] {
    ++probes;
    return true;
  });
  EXPECT_TRUE(health.problems().empty());
  EXPECT_EQ(probes, 0);
  health.failing("store", "disk full: store");
  EXPECT_TRUE(health.problems().empty());  // the probe healed it
  EXPECT_EQ(probes, 1);
}

TEST(StoreHealth, RemoveProbeWaitsForAProbeUnderWay) {
  // The store's owner removes its probe as it goes: a probe still running
  // on another thread (a health check) would use what is gone.
  StoreHealth health;
  std::atomic<bool> inProbe{false}, probeEnded{false};
  health.setProbe("store", [&] {
    inProbe = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    probeEnded = true;
    return false;
  });
  health.failing("store", "disk full: store");
  std::thread check([&] { health.problems(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!inProbe && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_TRUE(inProbe);
  health.removeProbe("store");
  EXPECT_TRUE(probeEnded);
  check.join();
  // Gone: the failing store is reported without a probe being run.
  inProbe = false;
  auto problems = health.problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].second, "disk full: store");
  EXPECT_FALSE(inProbe);
}

TEST(StoreHealth, ASlowProbeHoldsAHealthCheckABoundedTime) {
  // RocksDB's Resume may take long: a health check answers meanwhile, and
  // one probe at a time runs for the store.
  StoreHealth health(std::chrono::milliseconds(50));
  std::atomic<int> probes{0};
  std::atomic<bool> release{false};
  failingWithBlockedProbe(health, release, true, &probes);
  // Still failing: the probe runs on (it would heal the store if a check
  // had waited for it to end), and a second check starts no other.
  EXPECT_EQ(health.problems().size(), 1u);
  EXPECT_EQ(health.problems().size(), 1u);
  EXPECT_FALSE(release);
  EXPECT_EQ(probes, 1);
  release = true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!health.problems().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(health.problems().empty());  // healed by that probe
  EXPECT_EQ(probes, 1);
}

TEST(StoreHealth, AProbeThatDoesNotEndIsReportedStuck) {
  // RocksDB 7.8's Resume() can wait forever: past `stuckAfter` the reason
  // says so and what to do; a probe that ends heals the store as before.
  StoreHealth health(std::chrono::milliseconds(10), std::chrono::milliseconds(50));
  std::atomic<bool> release{false};
  failingWithBlockedProbe(health, release, true);
  auto first = health.problems();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].second, "disk full: store");
  std::vector<std::pair<std::string, std::string>> now;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (now.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    now = health.problems();
  }
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[0].second, "disk full: store");  // the store's own, unchanged
  EXPECT_EQ(now[1].second.rfind("recovery stuck: store (for ", 0), 0u) << now[1].second;
  EXPECT_NE(now[1].second.find("restart Kura"), std::string::npos) << now[1].second;
  release = true;
  EXPECT_TRUE(healedSoon(health));
}

TEST(StoreHealth, AProbeUnderWayIsNotStuckBeforeItsTime) {
  StoreHealth health(std::chrono::milliseconds(10), std::chrono::hours(1));
  std::atomic<bool> release{false};
  failingWithBlockedProbe(health, release, false);
  for (int i = 0; i < 3; ++i) {
    auto now = health.problems();
    ASSERT_EQ(now.size(), 1u);
    EXPECT_EQ(now[0].second, "disk full: store");
  }
  release = true;
  health.removeProbe("store");
}

TEST(StoreHealth, AKickStartsTheProbeWithoutWaiting) {
  StoreHealth health;
  std::atomic<int> probes{0};
  std::atomic<bool> release{false};
  failingWithBlockedProbe(health, release, true, &probes);
  health.kick("store");  // returns while the probe runs on
  health.kick("store");  // one at a time
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (probes == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_EQ(probes, 1);
  EXPECT_FALSE(release);
  release = true;
  health.removeProbe("store");  // waits for it
  EXPECT_EQ(probes, 1);
  EXPECT_TRUE(health.problems().empty());  // it healed the store
}

TEST(StoreHealth, AFailureMarkedWhileAProbeRunsIsNotHealedByIt) {
  // The store stopped again as its recovery ended: the probe that saw the
  // recovery succeed must not clear the new failure.
  StoreHealth health(std::chrono::milliseconds(10));
  std::atomic<int> probes{0};
  std::atomic<bool> release{false};
  failingWithBlockedProbe(health, release, true, &probes);
  health.kick("store");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (probes == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(probes, 1);
  health.failing("store", "disk full: store");  // again, during the probe
  release = true;
  health.removeProbe("store");
  auto left = health.problems();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].second, "disk full: store");
}

TEST(StoreHealth, KicksStartAProbeAtMostOncePerInterval) {
  // Every write to a stopped store kicks: past the first, a kick within
  // the interval starts no probe (no thread per write).
  StoreHealth health(std::chrono::milliseconds(10), std::chrono::seconds(20), std::chrono::hours(1));
  std::atomic<int> probes{0};
  health.setProbe("store", [&] {
    ++probes;
    return false;
  });
  health.failing("store", "disk full: store");
  for (int i = 0; i < 200; ++i) {
    health.kick("store");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(probes, 1);
  health.removeProbe("store");
}

}  // namespace
}  // namespace kura
