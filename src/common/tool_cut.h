#pragma once
// A stop of Kura that does not wait for a long tool. A reconcile step may
// run a tool for minutes (pg_basebackup or mariadb-backup of a large
// database, a restore's copy); a stop that waited for it would outlast a
// service manager's stop timeout and be killed anyway. A thread that runs
// such steps marks itself (ToolCutScope); once its reconciler stops
// (requestToolCut), a tool it runs is killed within a second and counted
// (toolsCut), and the step that ran it is not recorded: it runs again at
// the next start, as after a crash, which every step must survive.
// Tools run by other threads (the supervisors', a stop's own pg_ctl stop)
// are never cut.
#include <cstdint>

namespace kura {

// While alive, tools this thread runs are cut once a stop asks.
class ToolCutScope {
 public:
  ToolCutScope();
  ~ToolCutScope();
  ToolCutScope(const ToolCutScope&) = delete;
  ToolCutScope& operator=(const ToolCutScope&) = delete;

 private:
  bool before_;
};

// Raised by a stopping reconciler, lowered by its start.
void requestToolCut(bool wanted);
// Whether a tool this thread runs is to be cut now.
bool toolCutDue();
// Tools cut so far (a step compares the count before and after it ran).
uint64_t toolsCut();
void noteToolCut();

}  // namespace kura
