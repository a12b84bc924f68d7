#pragma once
// The arithmetic of a drill's measurements over its write attempts: when
// writes succeeded steadily again after the fault (RTO), which
// acknowledged writes the resource no longer holds (RPO), and the
// success rate and latency per slice of time for the report's plot.
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "drill/write_attempt.h"

namespace kura::drill {

struct Recovery {
  bool outageSeen = false;               // some write after the fault failed
  std::optional<double> firstFailureAt;  // seconds since the drill started
  std::optional<double> recoveredAt;     // the acknowledgement that began the steady run
  std::optional<double> rtoSeconds;      // recoveredAt - faultAt (0 when no write failed)
};

// Recovered: the first acknowledged write after the fault that begins a run
// of `steadyRun` acknowledged writes (or that runs to the last attempt with
// at least 3) with no failure after it in that run. Attempts that began
// before the fault and ended after it count as after it.
Recovery measureRecovery(const std::vector<WriteAttempt>& attempts, double faultAt, size_t steadyRun = 10);

struct Loss {
  int64_t attempted = 0, acked = 0, lost = 0;
  std::vector<int64_t> lostIds;  // the first 20
  // How much acknowledged history went: from the first lost write's
  // acknowledgement to the fault (0 when nothing was lost).
  double rpoSeconds = 0;
};

Loss measureLoss(const std::vector<WriteAttempt>& attempts, const std::set<int64_t>& held, double faultAt);

struct TimelineSlice {
  double start = 0, width = 0;
  int attempts = 0, acked = 0;
  double meanLatency = 0, maxLatency = 0;  // of the attempts that began in it, seconds

  double successRate() const { return attempts == 0 ? 0 : static_cast<double>(acked) / attempts; }
};

// Slices of `width` seconds from 0 to the last attempt's end.
std::vector<TimelineSlice> sliceTimeline(const std::vector<WriteAttempt>& attempts, double width);

}  // namespace kura::drill
