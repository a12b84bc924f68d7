#include "drill/timeline.h"

#include <algorithm>
#include <cmath>

namespace kura::drill {

Recovery measureRecovery(const std::vector<WriteAttempt>& attempts, double faultAt, size_t steadyRun) {
  Recovery recovery;
  std::vector<const WriteAttempt*> after;
  for (const auto& attempt : attempts) {
    if (attempt.endSeconds() >= faultAt) after.push_back(&attempt);
  }
  for (const auto* attempt : after) {
    if (!attempt->acked) {
      recovery.outageSeen = true;
      recovery.firstFailureAt = attempt->startSeconds;
      break;
    }
  }
  // The steady run starts after the last failure that is followed by a
  // long enough run: scan for the first start of such a run.
  for (size_t at = 0; at < after.size(); ++at) {
    if (!after[at]->acked) continue;
    // Before the first failure, a success does not end the outage.
    if (recovery.outageSeen && after[at]->startSeconds < *recovery.firstFailureAt) continue;
    size_t run = 0;
    while (at + run < after.size() && after[at + run]->acked && run < steadyRun) ++run;
    bool toTheEnd = at + run == after.size();
    if (run >= steadyRun || (toTheEnd && run >= 3)) {
      if (!recovery.outageSeen) {
        recovery.recoveredAt = faultAt;
        recovery.rtoSeconds = 0.0;
      } else {
        recovery.recoveredAt = after[at]->endSeconds();
        recovery.rtoSeconds = std::max(0.0, *recovery.recoveredAt - faultAt);
      }
      return recovery;
    }
    at += run;  // the run broke at a failure: look past it
  }
  return recovery;
}

Loss measureLoss(const std::vector<WriteAttempt>& attempts, const std::set<int64_t>& held, double faultAt) {
  Loss loss;
  std::optional<double> firstLostAck;
  for (const auto& attempt : attempts) {
    ++loss.attempted;
    if (!attempt.acked) continue;
    ++loss.acked;
    if (held.count(attempt.id) != 0) continue;
    ++loss.lost;
    if (loss.lostIds.size() < 20) loss.lostIds.push_back(attempt.id);
    if (!firstLostAck || attempt.endSeconds() < *firstLostAck) firstLostAck = attempt.endSeconds();
  }
  if (firstLostAck) loss.rpoSeconds = std::max(0.0, faultAt - *firstLostAck);
  return loss;
}

std::vector<TimelineSlice> sliceTimeline(const std::vector<WriteAttempt>& attempts, double width) {
  std::vector<TimelineSlice> slices;
  if (attempts.empty() || width <= 0) return slices;
  double end = 0;
  for (const auto& attempt : attempts) end = std::max(end, attempt.endSeconds());
  size_t count = static_cast<size_t>(std::ceil(end / width)) + 1;
  count = std::min<size_t>(count, 100000);
  slices.resize(count);
  for (size_t at = 0; at < count; ++at) {
    slices[at].start = static_cast<double>(at) * width;
    slices[at].width = width;
  }
  std::vector<double> latencySums(count, 0);
  for (const auto& attempt : attempts) {
    size_t at = std::min(count - 1, static_cast<size_t>(std::max(0.0, attempt.startSeconds) / width));
    TimelineSlice& slice = slices[at];
    ++slice.attempts;
    if (attempt.acked) ++slice.acked;
    latencySums[at] += attempt.latencySeconds;
    slice.maxLatency = std::max(slice.maxLatency, attempt.latencySeconds);
  }
  for (size_t at = 0; at < count; ++at) {
    if (slices[at].attempts > 0) slices[at].meanLatency = latencySums[at] / slices[at].attempts;
  }
  return slices;
}

}  // namespace kura::drill
