#include "drill/marker_restore.h"

#include <fmt/format.h>

#include <thread>

#include "common/time_format.h"
#include "drill/sql_workload.h"
#include "drill/timeline.h"

namespace kura::drill {

void startMarkerReport(DrillContext& context, const DatabaseTarget& target, const Workload& workload,
                       std::string_view snapshotKind, DrillReport& report) {
  report.drill = context.options().drillName;
  report.resourceType = target.resourceType;
  report.resource = target.identifier;
  report.writerInstance = target.writerInstance;
  report.engine = target.engine;
  report.endpointUrl = context.options().endpointUrl;
  report.region = context.client().identity().region;
  report.startedAt = formatIso8601Seconds(context.startedAt());
  report.workload = fmt::format("{} marker rows, then a {}; {}", kSnapshotMarkers, snapshotKind, workload.describe());
}

void writeMarkers(DrillContext& context, Workload& workload, DrillReport& report) {
  context.step(fmt::format("{} on {}: writing {} marker rows", report.drill, report.resource, kSnapshotMarkers));
  for (int64_t id = 1; id <= kSnapshotMarkers; ++id) {
    WriteAttempt attempt;
    attempt.id = id;
    attempt.startSeconds = context.elapsed();
    auto error = workload.write(id, std::chrono::seconds(5));
    attempt.latencySeconds = context.elapsed() - attempt.startSeconds;
    attempt.acked = !error;
    if (error) attempt.error = *error;
    report.attempts.push_back(attempt);
  }
}

std::optional<std::set<int64_t>> readMarkersBack(const DatabaseTarget& restored, const std::string& table,
                                                 std::string& readError) {
  WorkloadPtr reader = makeSqlWorkload(restored, table);
  std::optional<std::set<int64_t>> held;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!(held = reader->readBack(readError)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return held;
}

void judgeRestore(DrillContext& context, DrillReport& report, const std::optional<std::set<int64_t>>& held,
                  const std::string& readError, std::string_view copyKind, std::string_view snapshotKind) {
  if (held) {
    report.recovery.recoveredAt = context.elapsed();
    report.recovery.rtoSeconds = *report.recovery.recoveredAt - report.faultAt;
  }
  report.loss = measureLoss(report.attempts, held.value_or(std::set<int64_t>{}), report.faultAt);
  if (report.loss.acked == 0) {
    report.verdictReason = "no marker row was acknowledged before the snapshot";
  } else if (!held) {
    report.verdictReason = fmt::format("the restored {} could not be read: {}", copyKind, readError);
  } else if (report.loss.lost > 0) {
    report.verdictReason =
        fmt::format("{} of the {} marker rows are missing from the restore", report.loss.lost, report.loss.acked);
  } else {
    report.passed = true;
    report.verdictReason = fmt::format("the newest {} restored in {:.2f} s and holds all {} marker rows", snapshotKind,
                                       *report.recovery.rtoSeconds, report.loss.acked);
  }
  context.step(fmt::format("{}: {}", report.passed ? "passed" : "failed", report.verdictReason));
}

}  // namespace kura::drill
