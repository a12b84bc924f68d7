#pragma once
// The syncs a call waits for before it is answered, run beside each other.
// The API gateway opens one on the thread that handles a call; a store
// whose write must be synced before the answer (the DynamoDB store's WAL,
// the trail's record of a change) starts its sync (GroupCommit::start) and
// leaves the wait here instead of waiting at once; the gateway then waits
// for all of them before it answers. A call pays one sync latency, not one
// per file. Without an open scope (a sweeper, a restore, a test) a store
// waits at once, as before.
//
// A caller that must not block (a connection's event loop) takes the waits
// out of the scope (release) and is called back once they have all ended
// (whenAll), on the thread that ran the last sync: no thread is parked for
// the call meanwhile.
//
// Every wait left here is waited for before the scope ends, even when the
// call failed or threw: nothing a call wrote is acknowledged unsynced.
//
// A store may also leave a sync not started yet (deferStart): it starts
// when the call's waits are run or released, after the call's trail record,
// which the store may carry in the same file (setCarrier,
// common/trail_carrier.h): one sync then covers both.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kura {

class GroupCommit;
class TrailCarrier;

// One sync a call waits for: a group commit's ticket, and what a failure
// of that sync means for the call.
struct PendingSync {
  GroupCommit* commit = nullptr;
  uint64_t ticket = 0;  // 0: not started yet (deferStart)
  // Given the sync's error, returns the call's (empty: the call is answered
  // all the same). Unset: the sync's error is the call's.
  std::function<std::string(const std::string& error)> onFailure;
};

class DeferredSyncs {
 public:
  // Opens the scope on this thread. Within an open one (a call a handler
  // makes itself), the outer scope stays the one that collects: the inner
  // one's waitAll() waits for the outer's waits so far.
  DeferredSyncs();
  // Waits for what is left (errors are the caller's to have asked for).
  ~DeferredSyncs();
  DeferredSyncs(const DeferredSyncs&) = delete;
  DeferredSyncs& operator=(const DeferredSyncs&) = delete;

  // The scope open on this thread, or null.
  static DeferredSyncs* current();
  // A sync to wait for before the answer.
  void defer(GroupCommit& commit, uint64_t ticket, std::function<std::string(const std::string&)> onFailure = {});
  // A sync of `commit` to start when the waits are run or released, after
  // all the call wrote (once per commit: a second one left before the
  // first started is the same).
  void deferStart(GroupCommit& commit, std::function<std::string(const std::string&)> onFailure = {});
  // The store that can carry the call's trail record in the file one of
  // these syncs covers, or null.
  void setCarrier(TrailCarrier* carrier);
  TrailCarrier* carrier() const;
  // Runs every wait left; returns the first error of any wait run so far
  // in this scope (empty when none).
  std::string waitAll();

  // The outermost scope, with waits left: the caller may release them.
  bool waiting() const { return outer_ == nullptr && !waits_.empty(); }
  // Hands the waits left over to the caller (the scope then has none);
  // with firstError(), what whenAll() takes.
  std::vector<PendingSync> release();
  const std::string& firstError() const { return firstError_; }
  // Calls `done` with the first error of `waits` in their order (or
  // `errorSoFar` if not empty), once every one of their syncs has ended: at
  // once if they all have, else on the thread that ended the last.
  static void whenAll(std::vector<PendingSync> waits, std::string errorSoFar,
                      std::function<void(const std::string& error)> done);

 private:
  // Starts the syncs left not started (deferStart).
  void startLeft();

  std::vector<PendingSync> waits_;
  TrailCarrier* carrier_ = nullptr;
  DeferredSyncs* outer_ = nullptr;  // the scope open when this one opened
  std::string firstError_;          // the first wait's error (an outermost scope's)
};

}  // namespace kura
