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
  if (mutex.waiting() != 1) {
    ADD_FAILURE() << "the waiter was never counted";
    mutex.unlock();
    mutex.unlock();
    waiter.join();
    return;
  }
  mutex.unlock();
  EXPECT_EQ(mutex.waiting(), 1);  // still held once
  mutex.unlock();
  std::chrono::steady_clock::duration budget = 10s;
  mutex.yieldToWaiters(budget);  // returns at once if the waiter already took it
  EXPECT_EQ(mutex.waiting(), 0);
  mutex.lock();
  EXPECT_TRUE(took);  // it went first
  mutex.unlock();
  waiter.join();
}

TEST(CountedRecursiveMutex, YieldingIsFreeWithoutWaitersAndSpendsItsBudget) {
  CountedRecursiveMutex mutex;
  std::chrono::steady_clock::duration budget = 10s;
  mutex.yieldToWaiters(budget);
  EXPECT_EQ(budget, 10s);  // no one waited
  // A waiter that cannot take it (held here, as by a third thread's
  // transaction): the budget is spent, and no more.
  mutex.lock();
  std::thread waiter([&] { std::lock_guard lock(mutex); });
  for (int i = 0; i < 2000 && mutex.waiting() == 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(mutex.waiting(), 1);
  budget = 20ms;
  mutex.yieldToWaiters(budget);
  EXPECT_LE(budget, std::chrono::steady_clock::duration::zero());
  mutex.yieldToWaiters(budget);  // nothing left: returns at once
  mutex.unlock();
  waiter.join();
  EXPECT_EQ(mutex.waiting(), 0);
}

}  // namespace
}  // namespace kura
