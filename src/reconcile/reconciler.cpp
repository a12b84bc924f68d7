#include "reconcile/reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "common/tool_cut.h"

namespace kura {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr const char* kDeleted = "deleted";
constexpr const char* kFailed = "failed";

// Thrown steps are journaled while they are few, then only now and then, so
// that a resource failing for days does not fill the catalog.
bool journalsFailure(int failures) { return failures < 5 || failures % 20 == 0; }

}  // namespace

Reconciler::Reconciler(Catalog& catalog, ClockPtr clock, int workers)
    : catalog_(catalog), clock_(clock ? std::move(clock) : realClock()), workerCount_(std::max(1, workers)) {}

Reconciler::~Reconciler() { stop(); }

void Reconciler::add(ControllerPtr controller) {
  std::string kind = controller->kind();
  controllers_[kind] = std::move(controller);
}

void Reconciler::setRetryBackoff(milliseconds first, milliseconds max) {
  firstBackoff_ = std::max(milliseconds(1), first);
  maxBackoff_ = std::max(firstBackoff_, max);
}

void Reconciler::setResyncInterval(milliseconds interval) { resyncInterval_ = std::max(milliseconds(1), interval); }

Controller* Reconciler::controllerFor(const std::string& kind) const {
  auto found = controllers_.find(kind);
  return found == controllers_.end() ? nullptr : found->second.get();
}

milliseconds Reconciler::backoff(int failures) const {
  milliseconds delay = firstBackoff_;
  for (int doubling = 1; doubling < failures && delay < maxBackoff_; ++doubling) delay *= 2;
  return std::min(delay, maxBackoff_);
}

void Reconciler::start() {
  std::lock_guard lock(mutex_);
  if (!workers_.empty()) return;
  stopping_ = false;
  stopSignal_.clear();
  cutTools_ = false;
  rescanRequested_ = true;  // the first worker picks up everything pending
  nextResync_ = SteadyClock::now() + resyncInterval_;
  for (int index = 0; index < workerCount_; ++index) workers_.emplace_back([this] { workerLoop(); });
}

void Reconciler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  // A step running a long tool (a large snapshot's backup) is cut short
  // rather than waited for; it runs again at the next start.
  cutTools_ = true;
  stopSignal_.raise();
  workAvailable_.notify_all();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  std::lock_guard lock(mutex_);
  entries_.clear();  // rebuilt from the catalog by the next start()
  progressMade_.notify_all();
}

void Reconciler::wake() {
  {
    std::lock_guard lock(mutex_);
    rescanRequested_ = true;
  }
  workAvailable_.notify_one();
}

bool Reconciler::waitIdle(milliseconds timeout) {
  std::unique_lock lock(mutex_);
  rescanRequested_ = true;
  uint64_t wanted = rescansStarted_ + 1;  // a rescan that starts after this call
  workAvailable_.notify_one();
  return progressMade_.wait_for(lock, timeout, [&] {
    return !stopping_ && rescansDone_ >= wanted && !rescanRequested_ && entries_.empty();
  });
}

void Reconciler::workerLoop() {
  ToolCutScope cutAtStop(cutTools_);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto now = SteadyClock::now();
    if (!rescanning_ && (rescanRequested_ || now >= nextResync_)) {
      rescan(lock);
      continue;
    }
    auto chosen = entries_.end();
    // While another worker rescans, its completion wakes us; do not spin on
    // a resync time that has passed meanwhile.
    SteadyTime wakeAt = rescanning_ ? now + resyncInterval_ + std::chrono::seconds(1) : nextResync_;
    for (auto entry = entries_.begin(); entry != entries_.end(); ++entry) {
      if (entry->second.running) continue;
      if (entry->second.due > now) {
        wakeAt = std::min(wakeAt, entry->second.due);
      } else if (chosen == entries_.end() || entry->second.due < chosen->second.due) {
        chosen = entry;
      }
    }
    if (chosen == entries_.end()) {
      workAvailable_.wait_until(lock, wakeAt);
      continue;
    }

    int64_t id = chosen->first;
    int failures = chosen->second.failures;
    chosen->second.running = true;
    chosen->second.dirty = false;
    lock.unlock();
    Next next = stepOnce(id, failures);
    lock.lock();

    auto entry = entries_.find(id);  // merge() never erases a running entry
    if (!next.keep && !entry->second.dirty) {
      entries_.erase(entry);
    } else {
      Entry& scheduled = entry->second;
      scheduled.failures = next.failed ? failures + 1 : 0;
      milliseconds delay = next.failed ? backoff(scheduled.failures) : next.delay;
      if (scheduled.dirty) delay = milliseconds(0);  // the API changed it meanwhile
      scheduled.due = SteadyClock::now() + delay;
      scheduled.running = false;
      scheduled.dirty = false;
      if (next.version != 0) scheduled.seenVersion = next.version;
    }
    progressMade_.notify_all();
    workAvailable_.notify_all();
  }
}

void Reconciler::rescan(std::unique_lock<std::mutex>& lock) {
  rescanRequested_ = false;
  rescanning_ = true;
  nextResync_ = SteadyClock::now() + resyncInterval_;
  uint64_t number = ++rescansStarted_;
  lock.unlock();
  std::optional<std::vector<Resource>> pending;
  try {
    pending = catalog_.listPending();
  } catch (const std::exception& error) {
    spdlog::error("reconcile: cannot list pending resources: {}", error.what());
  }
  lock.lock();
  rescanning_ = false;
  if (pending) {
    merge(*pending);
    rescansDone_ = number;
  } else {
    nextResync_ = SteadyClock::now() + firstBackoff_;
  }
  progressMade_.notify_all();
  workAvailable_.notify_all();
}

void Reconciler::merge(const std::vector<Resource>& pending) {
  auto now = SteadyClock::now();
  std::set<int64_t> stillPending;
  for (const auto& resource : pending) {
    if (controllerFor(resource.kind) == nullptr) {
      if (warnedKinds_.insert(resource.kind).second) {
        spdlog::warn("reconcile: no controller for kind {}; {} and others like it stay {}", resource.kind,
                     resource.arn, resource.status);
      }
      continue;
    }
    stillPending.insert(resource.id);
    auto [entry, inserted] = entries_.try_emplace(resource.id);
    Entry& scheduled = entry->second;
    if (inserted) {
      scheduled.due = now;
      scheduled.seenVersion = resource.version;
    } else if (resource.version != scheduled.seenVersion) {
      // Changed by someone else (a new goal): step it now, not after the
      // delay it was waiting out.
      if (scheduled.running) {
        scheduled.dirty = true;
      } else {
        scheduled.due = now;
      }
      scheduled.seenVersion = resource.version;
    }
  }
  std::erase_if(entries_, [&](const auto& entry) {
    return !entry.second.running && stillPending.count(entry.first) == 0;
  });
}

Reconciler::Next Reconciler::recordFailure(const Resource& resource, int failures, const std::string& what) {
  spdlog::warn("reconcile: step of {} ({}) failed, attempt {}: {}", resource.arn, resource.status, failures + 1, what);
  if (journalsFailure(failures)) {
    try {
      catalog_.recordStep(resource.id, resource.status, "error (attempt " + std::to_string(failures + 1) + "): " + what);
    } catch (const std::exception& error) {
      spdlog::error("reconcile: cannot journal the failure of {}: {}", resource.arn, error.what());
    }
  }
  return Next{true, milliseconds(0), true, 0};
}

Reconciler::Next Reconciler::stepOnce(int64_t id, int failures) {
  Resource resource;
  try {
    auto loaded = catalog_.getResourceById(id);
    if (!loaded) return Next{};  // removed meanwhile
    resource = std::move(*loaded);
  } catch (const std::exception& error) {
    spdlog::error("reconcile: cannot read resource {}: {}", id, error.what());
    return Next{true, milliseconds(0), true, 0};
  }
  Controller* controller = controllerFor(resource.kind);
  if (!resource.pending() || controller == nullptr) return Next{false, milliseconds(0), false, resource.version};

  const Resource before = resource;
  ReconcileContext ctx(catalog_, clock_, stopSignal_, failures);
  StepOutcome outcome;
  uint64_t cutBefore = toolsCutOnThisThread();
  auto cutByStop = [&] {
    if (!stopSignal_.raised() || toolsCutOnThisThread() == cutBefore) return false;
    // Its failure is the stop's, not the resource's: nothing of it is
    // recorded, and the step runs again at the next start.
    spdlog::info("msg=\"reconcile: a step cut short by the stop runs again at the next start\" resource={} "
                 "status={}",
                 before.arn, before.status);
    return true;
  };
  try {
    outcome = controller->step(resource, ctx);
  } catch (const std::exception& error) {
    if (cutByStop()) return Next{};
    return recordFailure(before, failures, error.what());
  } catch (...) {
    if (cutByStop()) return Next{};
    return recordFailure(before, failures, "unknown exception");
  }
  if (cutByStop()) return Next{};
  try {
    Next next = persist(before, resource, outcome, ctx);
    if (ctx.rescanRequested()) wake();
    return next;
  } catch (const std::exception& error) {
    return recordFailure(before, failures, std::string("cannot persist the step: ") + error.what());
  }
}

Reconciler::Next Reconciler::persist(const Resource& before, Resource& after, const StepOutcome& outcome,
                                     const ReconcileContext& ctx) {
  using Kind = StepOutcome::Kind;
  if (outcome.kind == Kind::Failed && after.status == before.status) after.status = kFailed;
  const bool removing = outcome.kind == Kind::Done && after.status == kDeleted;
  const bool doneShortOfGoal = outcome.kind == Kind::Done && !removing && after.status != after.goal;
  const bool statusChanged = after.status != before.status;
  const bool journal = statusChanged || !ctx.notes().empty() || !ctx.events().empty() ||
                       outcome.kind == Kind::Done || outcome.kind == Kind::Failed;
  if (!journal && after.state == before.state) {
    // Nothing happened (polling a process, waiting for a backup): no write.
    return Next{true, outcome.kind == Kind::RetryAfter ? outcome.delay : milliseconds(0), false, before.version};
  }

  std::string transition = statusChanged ? before.status + " -> " + after.status : before.status;
  std::string detail = toString(outcome.kind);
  if (doneShortOfGoal) detail += " short of goal " + after.goal;
  if (!ctx.notes().empty()) detail += ": " + ctx.notes();

  return catalog_.transact([&]() -> Next {
    auto addEvents = [&] {
      for (const auto& pending : ctx.events()) {
        catalog_.addEvent({0, after.accountId, after.region, after.kind, after.name, after.arn, pending.message,
                           pending.categories, clock_->now()});
      }
    };
    if (removing) {
      addEvents();
      auto removed = catalog_.removeResource(after.id);
      if (!removed && removed.error().code != catalog_errors::kNotFound) {
        throw std::runtime_error(removed.error().message);
      }
      return Next{};
    }

    auto fresh = catalog_.getResourceById(after.id);
    if (!fresh) return Next{};  // removed by someone else meanwhile
    // spec and goal are the API's; state is the controller's; status is the
    // controller's unless the API set one of its own meanwhile.
    Resource merged = *fresh;
    merged.state = after.state;
    if (fresh->status == before.status) merged.status = after.status;
    if (outcome.kind == Kind::Failed && fresh->goal == before.goal) merged.goal = merged.status;
    auto updated = catalog_.updateResource(merged);
    if (!updated) throw std::runtime_error(updated.error().message);  // not a conflict: this transaction holds it
    if (journal) catalog_.recordStep(after.id, transition, detail);
    addEvents();

    Next next{updated->pending(), milliseconds(0), false, updated->version};
    if (outcome.kind == Kind::RetryAfter) next.delay = outcome.delay;
    if (doneShortOfGoal && updated->goal == before.goal) {
      // A controller bug: Done before the goal. Retry with backoff rather
      // than spin.
      spdlog::error("reconcile: controller of {} returned done at status {} short of goal {}", after.kind,
                    after.status, after.goal);
      next.failed = true;
    }
    return next;
  });
}

}  // namespace kura
