#pragma once
// A controller drives the resources of one kind from their status to their
// goal, one bounded step at a time; the Reconciler calls it and persists what
// it did. The contract of a step:
//
//  - It does one bounded, idempotent piece of work towards resource.goal: it
//    may be cut off by a crash at any point and is then called again with
//    the status last persisted, so it must find out what is already done
//    (a file already there, a process already running) and move on.
//  - It records what it made true in resource.status (e.g. "creating" ->
//    "backing-up" -> "available") and what it learned in resource.state
//    (ports, paths, pids, progress). It leaves spec and goal alone: they
//    belong to the API.
//  - It says what happened with a StepOutcome:
//      Progress    status changed or more to do: step again at once;
//      Done        status == goal: nothing more to do;
//      RetryAfter  waiting for something outside (a process starting, a
//                  backup finishing): step again after `delay`;
//      Failed      give up: the controller sets status to what AWS shows
//                  (e.g. "failed", "incompatible-restore"; "failed" if it
//                  leaves status unchanged) and the reconciler sets the goal
//                  to that status, so it is no longer pending. A new goal
//                  from the API (e.g. "deleted") sets it moving again.
//  - Deletion: the API sets goal "deleted" (and a status such as
//    "deleting"); the controller tears the resource down and returns Done
//    with status "deleted"; the reconciler then removes the record, its tags
//    and journal from the catalog (its events stay).
//  - Throwing is allowed: the exception is logged and journaled, nothing the
//    step changed is persisted, and the step is retried with backoff.
//
// After each step the reconciler writes status and state with the
// resource's version check, a journal entry (status transitions, notes,
// errors) and the events the step asked for, in one transaction. If the API
// changed the record meanwhile, its spec and goal are kept, the
// controller's state is kept, and the controller's status wins unless the
// API set a status of its own.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "reconcile/stop_signal.h"

namespace kura {

struct StepOutcome {
  enum class Kind { Progress, Done, RetryAfter, Failed };
  Kind kind = Kind::Progress;
  std::chrono::milliseconds delay{0};  // RetryAfter only

  static StepOutcome progress() { return {Kind::Progress, {}}; }
  static StepOutcome done() { return {Kind::Done, {}}; }
  static StepOutcome retryAfter(std::chrono::milliseconds delay) { return {Kind::RetryAfter, delay}; }
  static StepOutcome failed() { return {Kind::Failed, {}}; }
};

const char* toString(StepOutcome::Kind kind);

// What a step may use besides its resource. One per step.
class ReconcileContext {
 public:
  struct PendingEvent {
    std::string message;
    std::vector<std::string> categories;
  };

  ReconcileContext(Catalog& catalog, const ClockPtr& clock, const StopSignal& stop, int failures)
      : catalog_(catalog), clock_(clock), stop_(stop), failures_(failures) {}

  // To read other resources (a snapshot's source instance, ...). Writes to
  // the resource being stepped go through `resource`, not here.
  Catalog& catalog() { return catalog_; }
  SystemTime now() const { return clock_->now(); }
  // Consecutive failed (thrown) steps of this resource before this one.
  int failures() const { return failures_; }

  // An event to record with the step, as DescribeEvents shows it: source
  // type and id are the resource's kind and name.
  void emitEvent(std::string message, std::vector<std::string> categories) {
    events_.push_back({std::move(message), std::move(categories)});
  }
  // A line for the journal entry of this step.
  void note(std::string detail) {
    if (!notes_.empty()) notes_ += "; ";
    notes_ += detail;
  }

  // True once the reconciler is stopping: a long step should return (e.g.
  // RetryAfter without changes) and let the next start resume it.
  bool stopRequested() const { return stop_.raised(); }
  // Sleeps unless the reconciler stops first; true if it slept in full.
  bool sleepFor(std::chrono::milliseconds duration) const { return stop_.sleepFor(duration); }

  // Another resource was given a new goal by this step (through catalog()):
  // the reconciler rescans once the step is persisted, as after an API call.
  void requestRescan() { rescan_ = true; }
  bool rescanRequested() const { return rescan_; }

  const std::vector<PendingEvent>& events() const { return events_; }
  const std::string& notes() const { return notes_; }

 private:
  Catalog& catalog_;
  const ClockPtr& clock_;
  const StopSignal& stop_;
  int failures_;
  std::vector<PendingEvent> events_;
  std::string notes_;
  bool rescan_ = false;
};

class Controller {
 public:
  virtual ~Controller();
  // The resource kind it drives ("db-instance", "test-sleeper", ...).
  virtual std::string kind() const = 0;
  virtual StepOutcome step(Resource& resource, ReconcileContext& ctx) = 0;
};
using ControllerPtr = std::unique_ptr<Controller>;

}  // namespace kura
