#pragma once
// Which of Kura's stores cannot write, and why (a full disk, an I/O
// error), for GET /_kura/health. A store marks itself failing when a write
// fails for lack of space and recovered when a write succeeds again; a
// store that can heal without a write (RocksDB's Resume) registers a probe,
// run for it while it is marked failing. Process-wide and thread-safe:
// stores are deep in services that know nothing of the HTTP server.
//
// A probe runs on a thread of its own, one at a time per store (none when
// no thread can be started: a later check or kick tries again). The health
// check that starts it waits for it a short, bounded time (100 ms) and
// answers with what is known then; a check that finds one under way does
// not wait. Health is answered on a loop that reads share (GetItem,
// Describe*), and anyone may ask: a recovery that takes long (RocksDB's
// Resume flushes the memtables) holds neither that loop nor a flood of
// checks.
//
// A probe that has not ended after `stuckAfter` is reported as such, by a
// reason of its own beside the store's ("recovery stuck: <store> ...") and
// once in the log: RocksDB 7.8's Resume() can wait
// forever for a flush it never schedules (a flush request left in its
// queue by a flush that began after the error; RocksDB issue #15030 is the
// same family), and then only a restart brings the store back.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kura {

class StoreHealth {
 public:
  explicit StoreHealth(std::chrono::milliseconds probeWait = std::chrono::milliseconds(100),
                       std::chrono::milliseconds stuckAfter = std::chrono::seconds(20),
                       std::chrono::milliseconds kickInterval = std::chrono::milliseconds(250))
      : probeWait_(probeWait), stuckAfter_(stuckAfter), kickInterval_(kickInterval) {}
  static StoreHealth& global();

  void failing(const std::string& store, std::string reason);
  void recovered(const std::string& store);
  // `probe` answers true once the store writes again; it is called (without
  // this registry's lock) only while the store is marked failing.
  void setProbe(const std::string& store, std::function<bool()> probe);
  // Returns once no probe of the store runs any more (its owner is about
  // to go: a probe running on another thread would use it).
  void removeProbe(const std::string& store);
  // The failing stores and their reasons, by store name, after their
  // probes have had their say (or the probe wait passed).
  std::vector<std::pair<std::string, std::string>> problems();
  // Starts the store's probe if none is under way and none began within
  // `kickInterval`, and returns without waiting for it: a store's own
  // calls ask for their recovery this way, never running it (RocksDB's
  // Resume, which can wait forever) on the thread of a request, and a
  // flood of calls to a stopped store starts no flood of threads.
  void kick(const std::string& store);

 private:
  void runProbe(const std::string& store, const std::function<bool()>& probe, uint64_t failures);
  std::optional<std::shared_future<void>> startProbeLocked(const std::string& store);
  std::optional<std::string> stuckLocked(const std::string& store);

  const std::chrono::milliseconds probeWait_;
  const std::chrono::milliseconds stuckAfter_;
  const std::chrono::milliseconds kickInterval_;
  std::mutex mutex_;
  // When the probe under way began, by store, and whether its being stuck
  // was logged.
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, bool>> probeBegan_;
  // Probes under way, by store (counted when they are looked up, under
  // mutex_): removeProbe waits for its store's to end. A count per store,
  // not a readers' lock: health checks that never stop coming (anyone may
  // ask) cannot keep a store's owner from going.
  std::map<std::string, int> running_;
  std::condition_variable probesEnded_;
  std::map<std::string, std::string> failing_;
  // Failures marked, by store: a probe heals only what failed before it.
  std::map<std::string, uint64_t> failures_;
  std::map<std::string, std::function<bool()>> probes_;
  // The probe under way or last run, by store. Last of the members: a
  // probe's thread is joined (the future's end) before mutex_ goes.
  std::map<std::string, std::shared_future<void>> probing_;
};

// "no space left on device" for ENOSPC-like failures (the errno text an
// operator searches for), else the message as it is.
std::string describeStorageFailure(const std::string& message);

}  // namespace kura
