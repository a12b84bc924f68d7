#pragma once
// A stop of Kura that does not wait for a long tool. A reconcile step may
// run a tool for minutes (pg_basebackup or mariadb-backup of a large
// database, a restore's copy) or wait minutes for a server (a restored
// Redis image loading); a stop that waited would outlast a service
// manager's stop timeout and be killed anyway. A reconciler's worker
// marks itself (ToolCutScope, with its reconciler's flag); once that
// reconciler stops, a tool the worker runs is killed within a second, a
// wait (engines::waitUntil) ends, and ToolCut is thrown; the step is not
// recorded and runs again at the next start, as after a crash, which
// every step must survive. The same for the RDS supervisor's copies of a
// primary (keyed_jobs.h), cut by their own flag. Tools run by other
// threads (the supervisors' passes, a stop's own pg_ctl stop) are never
// cut.
#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace kura {

// While alive, tools this thread runs are cut once `wanted` is raised.
class ToolCutScope {
 public:
  explicit ToolCutScope(const std::atomic<bool>& wanted);
  ~ToolCutScope();
  ToolCutScope(const ToolCutScope&) = delete;
  ToolCutScope& operator=(const ToolCutScope&) = delete;

 private:
  const std::atomic<bool>* before_;
};

// Whether a tool or wait of this thread is to be cut now.
bool toolCutDue();

// What a cut tool or wait throws.
class ToolCut : public std::runtime_error {
 public:
  ToolCut() : std::runtime_error("cut short: Kura is stopping, or the resource is being deleted or stopped") {}
};

// Counts a cut on this thread and throws ToolCut.
[[noreturn]] void cutShort();

// Cuts on this thread so far (a step compares the count before and after).
uint64_t toolsCutOnThisThread();

}  // namespace kura
