#pragma once
// Group commit: callers whose data is already handed to a file (written, or
// in a buffer the sync step flushes) wait until one sync that started after
// that covers it. One caller at a time runs the sync; whoever arrives
// meanwhile waits for it to end and is then covered by the next sync, which
// one of them runs for all: N concurrent callers cost about two syncs, not N.
//
// A caller with other work to do meanwhile (a call whose trail record is
// synced too) takes a ticket with start() instead: a sync that covers it
// starts at once, on the commit's own thread, and wait(ticket) returns
// once it has ended. The caller pays one sync latency for both, not two.
//
// A caller that must not block (a connection's event loop) asks instead
// to be called back once the sync covering its ticket has ended
// (whenCovered): the thread that ran that sync calls it, so that no thread
// waits for the disk on the caller's behalf.
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
#include <thread>
#include <utility>
#include <vector>

namespace kura {

class GroupCommit {
 public:
  // `sync` makes durable everything handed over before it was called; it
  // returns an error text, empty on success.
  explicit GroupCommit(std::function<std::string()> sync) : sync_(std::move(sync)) {}
  // Joins the thread start() started (after the syncs it owes).
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Returns once a sync that started after this call began has succeeded
  // (an empty text), or the error of one that failed.
  std::string syncCovering();

  // Takes a ticket for what was handed over before this call and has a
  // sync that covers it run on the commit's own thread (started on the
  // first call); returns at once.
  uint64_t start();
  // Returns once the sync covering `ticket` has ended: empty, or its error.
  std::string wait(uint64_t ticket);
  // Calls `done` with what wait(ticket) would return, once the sync
  // covering `ticket` has ended: at once (on this thread) if it has, else
  // on the thread that ran it, right after it. `done` must not block.
  using Done = std::function<void(const std::string& error)>;
  void whenCovered(uint64_t ticket, Done done);

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
  // Callbacks waiting for their tickets' sync, in ticket order (whenCovered).
  std::deque<std::pair<uint64_t, Done>> callbacks_;
  std::vector<std::pair<uint64_t, Done>> due_;  // taken from callbacks_ by the sync that covered them
  // Runs one sync for tickets issued and not yet covered (mutex_ held on
  // entry and on return); returns its error.
  std::string runSyncLocked(std::unique_lock<std::mutex>& lock);
  // The error for a ticket a sync that ended covered (mutex_ held).
  std::string outcomeLocked(uint64_t ticket) const;
  // Calls back (without mutex_, which is held on entry and on return) the
  // callbacks of tickets through `through`.
  void runCallbacksLocked(std::unique_lock<std::mutex>& lock, uint64_t through);
  void syncInBackground();
  std::condition_variable pending_;  // wakes the thread start() started
  std::thread thread_;
  bool stopping_ = false;
};

}  // namespace kura
