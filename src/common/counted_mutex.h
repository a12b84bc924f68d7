#pragma once
// A recursive mutex that counts the threads waiting for it. A mutex is not
// fair: a thread that lets it go and takes it again at once (a long scan
// read in chunks, the catalog free between them) gets it back before a
// waiter has woken, so the waiter waits for the whole scan. With the count,
// such a thread lets the waiters go first (yieldToWaiters), for a bounded
// time, so that a steady stream of callers cannot hold it off for ever.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace kura {

class CountedRecursiveMutex {
 public:
  void lock() {
    if (inner_.try_lock()) return;
    waiting_.fetch_add(1, std::memory_order_relaxed);
    struct Uncount {  // also when lock() throws
      std::atomic<int>& waiting;
      ~Uncount() { waiting.fetch_sub(1, std::memory_order_relaxed); }
    } uncount{waiting_};
    inner_.lock();
  }
  bool try_lock() { return inner_.try_lock(); }
  void unlock() { inner_.unlock(); }

  // Threads waiting in lock() now.
  int waiting() const { return waiting_.load(std::memory_order_relaxed); }

  // Called without the mutex held: until the threads that wait for it have
  // taken it, lets them run, for at most `budget`, which it lessens by the
  // time it spent (a scan gives each of its pauses what is left of one
  // budget, so that a steady stream of callers costs it a bounded time).
  void yieldToWaiters(std::chrono::steady_clock::duration& budget) const {
    if (waiting() == 0 || budget <= std::chrono::steady_clock::duration::zero()) return;
    auto began = std::chrono::steady_clock::now();
    auto until = began + budget;
    auto now = began;
    while (waiting() > 0 && now < until) {
      std::this_thread::yield();
      now = std::chrono::steady_clock::now();
    }
    budget -= now - began;
  }

 private:
  std::recursive_mutex inner_;
  std::atomic<int> waiting_{0};
};

}  // namespace kura
