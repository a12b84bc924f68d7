#include "drill/workload_run.h"

#include <fmt/format.h>

#include <random>
#include <thread>

#include "common/time_format.h"
#include "drill/steady_writer.h"
#include "drill/timeline.h"

namespace kura::drill {
namespace {

using namespace std::chrono_literals;

// Whether the drill has seen enough after the fault: writes failed and then
// succeeded steadily for a second; or, when none failed, a few seconds
// passed (at the engine: the fault acts at once) or the whole duration
// (through the public API: a reboot starts some time after the call).
bool settled(const std::vector<WriteAttempt>& attempts, const InjectedFault& fault, double now, double limit) {
  if (now >= fault.at + limit) return true;
  Recovery recovery = measureRecovery(attempts, fault.at);
  if (recovery.outageSeen) {
    return recovery.recoveredAt && !attempts.empty() && attempts.back().endSeconds() >= *recovery.recoveredAt + 1.0;
  }
  double quiet = fault.atEngine ? std::min(limit, 5.0) : limit;
  return now >= fault.at + quiet;
}

}  // namespace

std::string freshWorkloadName() {
  std::random_device random;
  return fmt::format("kura_drill_{:08x}", random());
}

DrillResult runUnderWorkload(DrillContext& context, const DatabaseTarget& target, Workload& workload,
                             const FaultStep& fault) {
  const DrillOptions& options = context.options();
  DrillReport report;
  report.drill = options.drillName;
  report.resourceType = target.resourceType;
  report.resource = target.identifier;
  report.writerInstance = target.writerInstance;
  report.engine = target.engine;
  report.endpointUrl = options.endpointUrl;
  report.region = context.client().identity().region;
  report.startedAt = formatIso8601Seconds(context.startedAt());
  report.workload = workload.describe();
  context.step(fmt::format("{} on {} {}: preparing the workload ({})", options.drillName, target.resourceType,
                           target.identifier, report.workload));
  // A database just back from a failover (its endpoint moved to the new
  // primary, the old one being rebuilt as the standby) may turn away the
  // first connections: the start is tried again for up to 30 s (prepare()
  // makes its table only if it is not there).
  std::optional<std::string> failed = workload.prepare();
  for (auto until = std::chrono::steady_clock::now() + 30s; failed && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(500ms);
    failed = workload.prepare();
  }
  if (failed) return "the workload could not start: " + *failed;

  SteadyWriter writer(workload, context.start());
  writer.start();
  context.step("writing steadily for 2 s before the fault");
  // A steady state first: two seconds of writes, at least one acknowledged.
  auto warm = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < warm) std::this_thread::sleep_for(50ms);
  auto before = writer.attempts();
  if (std::none_of(before.begin(), before.end(), [](const WriteAttempt& a) { return a.acked; })) {
    writer.stop();
    workload.cleanup();
    std::string error = before.empty() ? "no write was attempted" : before.back().error;
    return "the workload's writes fail before any fault: " + error;
  }

  context.step("injecting the fault");
  auto injected = fault();
  if (auto* problem = std::get_if<std::string>(&injected)) {
    writer.stop();
    workload.cleanup();
    return *problem;
  }
  const InjectedFault& done = std::get<InjectedFault>(injected);
  report.fault = done.description;
  report.faultMethod = done.method;
  report.faultAt = done.at;
  report.notes = done.notes;
  context.step(fmt::format("fault injected ({}, by {}); waiting up to {} s for the writes to recover", done.description,
                           done.method, options.durationSeconds));
  for (;;) {
    auto attempts = writer.attempts();
    if (settled(attempts, done, context.elapsed(), options.durationSeconds)) break;
    int tried = 0, acked = 0;
    for (const WriteAttempt& attempt : attempts) {
      if (attempt.startSeconds < done.at) continue;
      ++tried;
      acked += attempt.acked ? 1 : 0;
    }
    context.status(fmt::format("since the fault: {} writes, {} acknowledged, {} failed", tried, acked, tried - acked));
    std::this_thread::sleep_for(100ms);
  }
  writer.stop();
  report.attempts = writer.attempts();
  report.recovery = measureRecovery(report.attempts, report.faultAt);
  context.step(report.recovery.rtoSeconds ? fmt::format("writes recovered {:.2f} s after the fault; reading back "
                                                        "every acknowledged write",
                                                        *report.recovery.rtoSeconds)
                                          : std::string("writes did not recover; reading back every acknowledged write"));

  // Every acknowledged write read back on a new connection, once the
  // resource answers again (it may still be recovering).
  std::optional<std::set<int64_t>> held;
  std::string readError;
  auto readDeadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(std::max(10, options.durationSeconds / 2));
  while (!(held = workload.readBack(readError)) && std::chrono::steady_clock::now() < readDeadline) {
    context.status("the resource does not answer the read back yet: " + readError);
    std::this_thread::sleep_for(500ms);
  }
  if (held) {
    report.loss = measureLoss(report.attempts, *held, report.faultAt);
  } else {
    report.loss = measureLoss(report.attempts, {}, report.faultAt);
    report.notes.push_back("the writes could not be read back: " + readError);
  }
  workload.cleanup();
  report.durationSeconds = context.elapsed();

  if (!held) {
    report.passed = false;
    report.verdictReason = "the acknowledged writes could not be read back";
  } else if (!report.recovery.rtoSeconds) {
    report.verdictReason =
        fmt::format("writes did not succeed steadily again within {} s of the fault", options.durationSeconds);
  } else if (report.loss.lost > 0) {
    report.verdictReason = fmt::format("{} acknowledged writes were lost", report.loss.lost);
  } else {
    report.passed = true;
    report.verdictReason = report.recovery.outageSeen
                               ? fmt::format(
                                     "writes succeeded steadily {:.2f} s after the fault; no acknowledged "
                                     "write was lost",
                                     *report.recovery.rtoSeconds)
                               : "no write failed across the fault; no acknowledged write was lost";
  }
  context.step(fmt::format("{}: {}", report.passed ? "passed" : "failed", report.verdictReason));
  return report;
}

}  // namespace kura::drill
