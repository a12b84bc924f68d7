// The catalog's mutex: it counts its waiters, and a thread that lets it go
// can let them take it before it takes it back.
#include "common/counted_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace kura {
namespace {

using namespace std::chrono_literals;

TEST(CountedRecursiveMutex, AWaiterTakesItBeforeTheThreadThatYields) {
  CountedRecursiveMutex mutex;
  mutex.lock();
  mutex.lock();  // recursive
  std::atomic<bool> took{false};
  std::thread waiter([&] {
    std::lock_guard lock(mutex);
    took = true;
  });
  for (int i = 0; i < 2000 && mutex.waiting() == 0; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(mutex.waiting(), 1);
  mutex.unlock();
  EXPECT_EQ(mutex.waiting(), 1);  // still held once
  mutex.unlock();
  mutex.yieldToWaiters(10s);
  EXPECT_EQ(mutex.waiting(), 0);
  mutex.lock();
  EXPECT_TRUE(took);  // it went first
  mutex.unlock();
  waiter.join();
}

TEST(CountedRecursiveMutex, YieldingIsBoundedAndFreeWithoutWaiters) {
  CountedRecursiveMutex mutex;
  auto began = std::chrono::steady_clock::now();
  mutex.yieldToWaiters(10s);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
  EXPECT_TRUE(mutex.try_lock());
  mutex.unlock();
}

}  // namespace
}  // namespace kura
