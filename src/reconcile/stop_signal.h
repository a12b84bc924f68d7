#pragma once
// A flag that a stopping reconciler raises, and sleeps that it cuts short.
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace kura {

class StopSignal {
 public:
  void raise() {
    {
      std::lock_guard lock(mutex_);
      raised_ = true;
    }
    changed_.notify_all();
  }
  void clear() {
    std::lock_guard lock(mutex_);
    raised_ = false;
  }
  bool raised() const {
    std::lock_guard lock(mutex_);
    return raised_;
  }
  // Sleeps for `duration` unless raised first; true if it slept in full.
  bool sleepFor(std::chrono::milliseconds duration) const {
    std::unique_lock lock(mutex_);
    return !changed_.wait_for(lock, duration, [this] { return raised_; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool raised_ = false;  // guarded by mutex_
};

}  // namespace kura
