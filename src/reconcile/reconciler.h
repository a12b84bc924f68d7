#pragma once
// The reconciler: a few worker threads that step every pending resource
// (status != goal) with the controller of its kind until it reaches its goal.
// See controller.h for the contract of a step and what gets persisted.
//
// Scheduling: start() and wake() (called by the API after it records a new
// goal) rescan the catalog for pending resources, and so does a periodic
// resync. One resource is never stepped by two workers at once. Because
// everything lives in the catalog, a server killed mid-operation picks the
// work up at its next start(). Only one Reconciler may run on a catalog.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "reconcile/controller.h"
#include "reconcile/stop_signal.h"

namespace kura {

class Reconciler {
 public:
  // `clock` is what controllers see as now(); delays between steps are
  // measured on the steady clock.
  Reconciler(Catalog& catalog, ClockPtr clock, int workers = 2);
  ~Reconciler();  // stop()s
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  // Before start(): one controller per kind (a second for a kind replaces it).
  void add(ControllerPtr controller);
  // Before start(): delays after a step threw (doubling from `first` up to
  // `max`; defaults 100 ms and 30 s) and between periodic rescans (10 s).
  void setRetryBackoff(std::chrono::milliseconds first, std::chrono::milliseconds max);
  void setResyncInterval(std::chrono::milliseconds interval);

  // Starts the workers, which first pick up every pending resource.
  void start();
  // Asks running steps to return (ReconcileContext::stopRequested), waits for
  // them to be persisted and joins the workers. Idempotent.
  void stop();
  // Rescans the catalog soon: call after recording a new goal.
  void wake();
  // Tests: rescans, then waits until no resource with a controller is
  // pending. False on timeout.
  bool waitIdle(std::chrono::milliseconds timeout);

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  struct Entry {
    SteadyTime due{};
    bool running = false;
    bool dirty = false;         // the catalog changed while it was running
    int failures = 0;           // consecutive thrown steps
    int64_t seenVersion = 0;    // the version when last scheduled
  };

  // What a worker decides after one step.
  struct Next {
    bool keep = false;  // false: nothing pending
    std::chrono::milliseconds delay{0};
    bool failed = false;  // the step threw: back off
    int64_t version = 0;
  };

  void workerLoop();
  void rescan(std::unique_lock<std::mutex>& lock);
  void merge(const std::vector<Resource>& pending);  // with mutex_ held
  Next recordFailure(const Resource& resource, int failures, const std::string& what);
  Next stepOnce(int64_t id, int failures);
  Next persist(const Resource& before, Resource& after, const StepOutcome& outcome, const ReconcileContext& ctx);
  std::chrono::milliseconds backoff(int failures) const;
  Controller* controllerFor(const std::string& kind) const;

  Catalog& catalog_;
  ClockPtr clock_;
  int workerCount_;
  std::map<std::string, ControllerPtr> controllers_;  // fixed after start()
  std::chrono::milliseconds firstBackoff_{100};
  std::chrono::milliseconds maxBackoff_{30000};
  std::chrono::milliseconds resyncInterval_{10000};
  StopSignal stopSignal_;
  // Raised by stop(): the workers' long tools are cut short (common/tool_cut.h).
  std::atomic<bool> cutTools_{false};

  std::mutex mutex_;
  std::condition_variable workAvailable_;  // with mutex_
  std::condition_variable progressMade_;   // with mutex_: for waitIdle
  std::map<int64_t, Entry> entries_;       // guarded by mutex_: pending resources
  bool stopping_ = false;                  // guarded by mutex_
  bool rescanRequested_ = false;           // guarded by mutex_
  bool rescanning_ = false;                // guarded by mutex_
  uint64_t rescansStarted_ = 0;            // guarded by mutex_
  uint64_t rescansDone_ = 0;               // guarded by mutex_: the number of the last one completed
  SteadyTime nextResync_{};                // guarded by mutex_
  std::set<std::string> warnedKinds_;      // guarded by mutex_: kinds without controller
  std::vector<std::thread> workers_;
};

}  // namespace kura
