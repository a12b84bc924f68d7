#pragma once
// Runs a workload's writes on a thread of its own, one every interval (the
// next at once when one took longer), recording every attempt.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "drill/workload.h"
#include "drill/write_attempt.h"

namespace kura::drill {

class SteadyWriter {
 public:
  SteadyWriter(Workload& workload, std::chrono::steady_clock::time_point drillStart,
               std::chrono::milliseconds interval = std::chrono::milliseconds(20),
               std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  ~SteadyWriter();
  SteadyWriter(const SteadyWriter&) = delete;
  SteadyWriter& operator=(const SteadyWriter&) = delete;

  void start();
  void stop();                                 // waits for the attempt under way
  std::vector<WriteAttempt> attempts() const;  // a copy, so far

 private:
  void run();

  Workload& workload_;
  std::chrono::steady_clock::time_point drillStart_;
  std::chrono::milliseconds interval_, timeout_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<WriteAttempt> attempts_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace kura::drill
