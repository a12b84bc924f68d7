#pragma once
// Long jobs about one resource each, run off a supervisor's thread: a
// Multi-AZ standby, an Aurora reader or a read replica copied again from
// its primary takes as long as a backup of the database, and a supervisor
// that waited for it would notice nothing else meanwhile (a primary that
// dies, another cluster's writer that hangs). At most one job a key, at
// most `workers` at once, the rest queued in order.
//
// A job that fails (returns false, or throws) holds its key off: the key
// takes no new job for `firstBackoff`, twice that after a second failure
// in a row, and so on up to `maxBackoff`; one that succeeds ends the
// backoff, and so does one cut short (ToolCut), which did not fail. (A
// copy that fails at once, its primary refusing it, would otherwise be
// started again at every pass of its supervisor.)
//
// A stop cuts the running jobs' tools and waits (tool_cut.h: they throw
// ToolCut, which ends the job) and drops the queued ones: a job must leave
// what it builds so that the next start takes it again, as after a crash.
// cancel() cuts and drops one key's job without waiting (its caller asks
// again until none is left), and ends the key's backoff: for whoever is
// about to act on that resource itself (a deletion of the instance being
// copied).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace kura {

class KeyedJobs {
 public:
  using Job = std::function<bool()>;  // false: failed, the key is held off for a while

  // `name` names the workers (top -H) and the log's lines about a failed job.
  KeyedJobs(std::string name, size_t workers,
            std::chrono::milliseconds firstBackoff = std::chrono::seconds(1),
            std::chrono::milliseconds maxBackoff = std::chrono::seconds(16));
  ~KeyedJobs();  // stops
  KeyedJobs(const KeyedJobs&) = delete;
  KeyedJobs& operator=(const KeyedJobs&) = delete;

  // Queues `job` for `key` unless one for `key` is queued or running, the
  // key is held off after a failure, or the jobs are stopped; true if queued.
  bool submit(const std::string& key, Job job);
  // Whether a job for `key` is queued or running.
  bool busy(const std::string& key) const;
  // How long `key` is held off after its last failure (0: its last job did
  // not fail), whether or not that time has passed.
  std::chrono::milliseconds backoffOf(const std::string& key) const;
  // Drops a queued job for `key` and cuts a running one short (its tools
  // see toolCutDue), without waiting for it: true once none is queued or
  // running (ask again until it is). Ends the key's backoff.
  bool cancel(const std::string& key);
  // From now on the jobs' tools and waits are cut short (without waiting
  // for them): raised before a stop waits for anything a job may hold.
  void cut();
  // Cuts the running jobs short, drops the queued ones and waits for the
  // workers to end. Later submissions are refused.
  void stop();

 private:
  struct HeldOff {
    std::chrono::steady_clock::time_point until;
    std::chrono::milliseconds last{0};
  };
  void work();
  // After a job of `key` ended; under mutex_.
  void noteEnd(const std::string& key, bool succeeded);

  std::string name_;
  size_t workerCount_;
  std::chrono::milliseconds firstBackoff_, maxBackoff_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool cut_ = false;                                          // guarded by mutex_
  std::deque<std::pair<std::string, Job>> queue_;             // guarded by mutex_
  std::set<std::string> busy_;                                // queued or running; guarded by mutex_
  std::map<std::string, std::atomic<bool>*> running_;         // each running job's cut; guarded by mutex_
  std::map<std::string, HeldOff> heldOff_;                    // keys whose last job failed; guarded by mutex_
  bool stopping_ = false;                                     // guarded by mutex_
  std::vector<std::thread> workers_;                          // started with the first job
};

}  // namespace kura
