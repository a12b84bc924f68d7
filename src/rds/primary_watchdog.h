#pragma once
// Watches a primary while a long step depends on it (a standby being copied
// from it): a primary that stops answering (two failed health probes in a
// row, the supervisor's own rule) is fenced at once, which ends the copy
// with an error instead of leaving it stuck until its time limit while
// nothing else notices the primary hangs.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "rds/instance_engine.h"

namespace kura::rds {

class PrimaryWatchdog {
 public:
  PrimaryWatchdog(InstanceEngine& engine, EngineLayout primary);
  ~PrimaryWatchdog();  // stops watching
  PrimaryWatchdog(const PrimaryWatchdog&) = delete;
  PrimaryWatchdog& operator=(const PrimaryWatchdog&) = delete;
  // The primary stopped answering and was fenced.
  bool fenced() const { return fenced_; }

 private:
  void watch();

  InstanceEngine& engine_;
  EngineLayout primary_;
  std::atomic<bool> fenced_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace kura::rds
