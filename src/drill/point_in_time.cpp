#include "drill/point_in_time.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "common/time_format.h"
#include "drill/steady_writer.h"
#include "drill/timeline.h"

namespace kura::drill {
namespace {

using namespace std::chrono_literals;

// The drill's clock (seconds since it started) at a wall-clock time.
double elapsedAt(const DrillContext& context, SystemTime at) {
  return context.elapsed() - std::chrono::duration<double>(std::chrono::system_clock::now() - at).count();
}

DrillReport failed(DrillReport report, DrillContext& context, std::string reason) {
  report.passed = false;
  report.verdictReason = std::move(reason);
  report.durationSeconds = context.elapsed();
  return report;
}

}  // namespace

std::optional<SystemTime> timestampOf(const nlohmann::json& value) {
  if (value.is_number()) {
    auto since = std::chrono::duration<double>(value.get<double>());
    return SystemTime(std::chrono::duration_cast<SystemTime::duration>(since));
  }
  if (value.is_string()) return parseTimestamp(value.get<std::string>());
  return std::nullopt;
}

DrillResult runPointInTimeDrill(DrillContext& context, Workload& source, PointInTimeRun& run,
                                const RestorableTime& restorable, const RestoreStep& restore) {
  const DrillOptions& options = context.options();
  DrillReport& report = run.report;
  report.drill = options.drillName;
  report.endpointUrl = options.endpointUrl;
  report.region = context.client().identity().region;
  report.startedAt = formatIso8601Seconds(context.startedAt());
  report.workload = "marker writes for 3 s, then every marker deleted; " + source.describe();
  if (auto problem = source.prepare()) return "the marker table could not be made: " + *problem;

  context.step(fmt::format("{} on {}: writing markers for 3 s ({})", options.drillName, report.resource,
                           source.describe()));
  SteadyWriter writer(source, context.start(), 50ms);
  writer.start();
  std::this_thread::sleep_for(3s);
  writer.stop();
  report.attempts = writer.attempts();
  if (std::none_of(report.attempts.begin(), report.attempts.end(), [](const WriteAttempt& a) { return a.acked; })) {
    return "no marker write was acknowledged: " + (report.attempts.empty() ? "" : report.attempts.back().error);
  }
  // T: the next whole second after the last marker; the accident a second
  // after it, so that no archive or log of whole seconds puts them together.
  SystemTime now = std::chrono::system_clock::now();
  SystemTime pointInTime = std::chrono::ceil<std::chrono::seconds>(now) + 1s;
  std::this_thread::sleep_until(pointInTime + 1100ms);
  double pointAt = elapsedAt(context, pointInTime);

  report.faultAt = context.elapsed();
  context.step(fmt::format("the accident: deleting every marker (T is {})", formatIso8601Seconds(pointInTime)));
  if (auto problem = source.eraseAll()) return "the accident (deleting every marker) failed: " + *problem;
  std::string readError;
  if (auto left = source.readBack(readError); left && !left->empty()) {
    report.notes.push_back(fmt::format("after the accident the store still held {} markers", left->size()));
  }
  report.recovery.outageSeen = true;
  report.recovery.firstFailureAt = report.faultAt;
  report.fault = fmt::format(
      "every marker deleted through the store's client (the accident), then a point-in-time restore to {} (T, {:.2f} "
      "s) into a temporary {}",
      formatIso8601Seconds(pointInTime), pointAt, run.copyKind);
  report.faultMethod = run.method;

  // The store must be restorable to T: its archive has passed it.
  auto waitLimit = std::chrono::steady_clock::now() + std::chrono::seconds(options.durationSeconds);
  std::optional<SystemTime> latest;
  context.step("waiting for the latest restorable time to pass T");
  while (!((latest = restorable()) && *latest >= pointInTime) && std::chrono::steady_clock::now() < waitLimit) {
    context.status("latest restorable time: " + (latest ? formatIso8601Seconds(*latest) : std::string("none")));
    std::this_thread::sleep_for(500ms);
  }
  report.loss = measureLoss(report.attempts, {}, pointAt);
  if (!latest || *latest < pointInTime) {
    return failed(report, context,
                  fmt::format("the latest restorable time ({}) did not pass T within {} s",
                              latest ? formatIso8601Seconds(*latest) : "none", options.durationSeconds));
  }
  double restoreStart = context.elapsed();
  report.notes.push_back(
      fmt::format("the latest restorable time passed T {:.2f} s after the accident", restoreStart - report.faultAt));
  std::string problem;
  context.step(fmt::format("restoring to T into a temporary {} ({})", run.copyKind, run.method));
  WorkloadPtr reader = restore(pointInTime, problem);
  if (!reader) return failed(report, context, "the restore to T failed: " + problem);
  std::optional<std::set<int64_t>> held;
  auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!(held = reader->readBack(readError)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(500ms);
  }
  if (!held) return failed(report, context, "the restored copy could not be read: " + readError);
  context.step(fmt::format("the restored copy holds {} markers", held->size()));
  report.recovery.recoveredAt = context.elapsed();
  report.recovery.rtoSeconds = *report.recovery.recoveredAt - report.faultAt;
  report.notes.push_back(fmt::format("the restore itself ({} to the markers read back) took {:.2f} s", run.method,
                                     *report.recovery.recoveredAt - restoreStart));
  report.loss = measureLoss(report.attempts, *held, pointAt);
  report.durationSeconds = context.elapsed();
  if (report.loss.lost > 0) {
    report.verdictReason = fmt::format("{} of the {} markers acknowledged before T are missing from the restore",
                                       report.loss.lost, report.loss.acked);
  } else {
    report.passed = true;
    report.verdictReason = fmt::format(
        "all {} markers acknowledged before T are back in the restore; {:.2f} s from the accident to the data "
        "read back",
        report.loss.acked, *report.recovery.rtoSeconds);
  }
  return report;
}

}  // namespace kura::drill
