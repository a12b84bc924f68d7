#pragma once
// The syncs a call waits for before it is answered, run beside each other.
// The API gateway opens one on the thread that handles a call; a store
// whose write must be synced before the answer (the DynamoDB store's WAL)
// starts its sync (GroupCommit::start) and leaves the wait here instead of
// waiting at once, while the trail's record of the call is written and
// synced; the gateway then waits for both before it answers. A call pays
// one sync latency, not one per file. Without an open scope (a sweeper, a
// restore, a test) a store waits at once, as before.
//
// Every wait left here is waited for before the scope ends, even when the
// call failed or threw: nothing a call wrote is acknowledged unsynced.
#include <functional>
#include <string>
#include <vector>

namespace kura {

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
  // A wait to run before the answer: returns an error text, empty when the
  // sync succeeded.
  void defer(std::function<std::string()> wait);
  // Runs every wait left; returns the first error of any wait run so far
  // in this scope (empty when none).
  std::string waitAll();

 private:
  std::vector<std::function<std::string()>> waits_;
  DeferredSyncs* outer_ = nullptr;  // the scope open when this one opened
  std::string firstError_;          // the first wait's error (an outermost scope's)
};

}  // namespace kura
