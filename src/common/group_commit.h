#pragma once
// Group commit: callers whose data is already handed to a file (written, or
// in a buffer the sync step flushes) wait until one sync that started after
// that covers it. One caller at a time runs the sync; whoever arrives
// meanwhile waits for it to end and is then covered by the next sync, which
// one of them runs for all: N concurrent callers cost about two syncs, not N.
//
// A failed sync fails every caller it was the first to cover, even if a
// later one succeeds before that caller wakes: after a failed fsync the
// kernel may have dropped the pages it could not write, so a later sync
// proves nothing about them.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace kura {

class GroupCommit {
 public:
  // `sync` makes durable everything handed over before it was called; it
  // returns an error text, empty on success.
  explicit GroupCommit(std::function<std::string()> sync) : sync_(std::move(sync)) {}

  // Returns once a sync that started after this call began has succeeded
  // (an empty text), or the error of one that failed.
  std::string syncCovering();

  // Syncs run so far (for tests and benchmarks: how well calls share them).
  uint64_t syncs() const {
    std::lock_guard lock(mutex_);
    return syncs_;
  }

 private:
  std::function<std::string()> sync_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  // Tickets: every caller takes the next; a sync started when `issued_`
  // was T covers tickets up to T. (All guarded by mutex_.)
  uint64_t issued_ = 0;
  uint64_t completedThrough_ = 0;  // highest ticket covered by a sync that ended
  // The tickets of the syncs that failed, (after, through], with their
  // errors; the oldest are forgotten past a bound (a caller wakes long
  // before that many syncs fail).
  struct Failure {
    uint64_t after, through;
    std::string error;
  };
  std::deque<Failure> failures_;
  bool syncing_ = false;
  uint64_t syncs_ = 0;
};

}  // namespace kura
