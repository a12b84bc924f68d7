#pragma once
// Resumes (SIGCONT) the processes a "hang" fault stopped once its seconds
// are over, or at once when Kura stops: a drill never leaves an engine
// stopped behind it. The pending hangs are written to a state file, so
// that a Kura killed meanwhile resumes them when it starts again. A bounded
// number of hangs is pending at a time.
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "services/faults/engine_processes.h"

namespace kura::faults {

class HangResumer {
 public:
  // In all, and per owner (an account): one tenant cannot take every slot.
  static constexpr size_t kMaxPending = 64;
  static constexpr size_t kMaxPendingPerOwner = 8;

  // stateFile: where the pending hangs are kept (empty: nowhere); what an
  // earlier run left there is resumed at once.
  explicit HangResumer(std::filesystem::path stateFile = {});
  ~HangResumer();
  HangResumer(const HangResumer&) = delete;
  HangResumer& operator=(const HangResumer&) = delete;

  // False when kMaxPending hangs, or kMaxPendingPerOwner of `owner`'s, are
  // pending already (nothing is stopped then).
  bool stopFor(const std::string& owner, std::vector<EngineProcess> processes, std::chrono::seconds duration);
  // Resumes everything pending and ends the thread.
  void shutdown();

 private:
  struct Pending {
    std::string owner;
    std::chrono::steady_clock::time_point due;
    std::vector<EngineProcess> processes;
  };
  void run();
  void saveLocked() const;  // mutex_ held

  std::filesystem::path stateFile_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> pending_;  // guarded by mutex_
  bool stopping_ = false;         // guarded by mutex_
  std::thread thread_;
};

}  // namespace kura::faults
