#pragma once
// Long jobs about one resource each, run off a supervisor's thread: a
// Multi-AZ standby, an Aurora reader or a read replica copied again from
// its primary takes as long as a backup of the database, and a supervisor
// that waited for it would notice nothing else meanwhile (a primary that
// dies, another cluster's writer that hangs). At most one job a key, at
// most `workers` at once, the rest queued in order.
//
// A stop cuts the running jobs' tools and waits (tool_cut.h: they throw
// ToolCut, which ends the job) and drops the queued ones: a job must leave
// what it builds so that the next start takes it again, as after a crash.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kura {

class KeyedJobs {
 public:
  // `name` names the workers (top -H) and the log's lines about a failed job.
  KeyedJobs(std::string name, size_t workers);
  ~KeyedJobs();  // stops
  KeyedJobs(const KeyedJobs&) = delete;
  KeyedJobs& operator=(const KeyedJobs&) = delete;

  // Queues `job` for `key` unless one for `key` is queued or running (or
  // the jobs are stopped); true if queued.
  bool submit(const std::string& key, std::function<void()> job);
  // Whether a job for `key` is queued or running.
  bool busy(const std::string& key) const;
  // From now on the jobs' tools and waits are cut short (without waiting
  // for them): raised before a stop waits for anything a job may hold.
  void cut() { cut_ = true; }
  // Cuts the running jobs short, drops the queued ones and waits for the
  // workers to end. Later submissions are refused.
  void stop();

 private:
  void work();

  std::string name_;
  size_t workerCount_;
  std::atomic<bool> cut_{false};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, std::function<void()>>> queue_;  // guarded by mutex_
  std::set<std::string> busy_;                                       // queued or running; guarded by mutex_
  bool stopping_ = false;                                            // guarded by mutex_
  std::vector<std::thread> workers_;                                 // started with the first job
};

}  // namespace kura
