#pragma once
// A background thread that runs a pass at a fixed interval until stopped;
// a pass that throws is logged and the next one runs as usual. The
// supervisors (RDS, ElastiCache) and the DynamoDB TTL sweeper run on one.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace kura {

class PeriodicTask {
 public:
  // `name` is what the log calls a failed pass.
  PeriodicTask(std::string name, std::chrono::milliseconds interval, std::function<void()> pass);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start();
  // Waits for a pass under way to end. Returns false if already stopped.
  bool stop();
  // Called by a pass: the wait before the next one is `wait` instead of
  // the interval, once (a task with nothing to watch wakes less often).
  void waitLongerOnce(std::chrono::milliseconds wait) { nextWait_ = wait; }

 private:
  std::string name_;
  std::chrono::milliseconds interval_;
  std::function<void()> pass_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::chrono::milliseconds nextWait_{0};  // the task's thread only; 0: the interval
};

}  // namespace kura
