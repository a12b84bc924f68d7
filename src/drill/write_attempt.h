#pragma once
// One write of a drill's workload, as the workload saw it: when it began
// (seconds since the drill started), how long it took, and whether the
// engine acknowledged it.
#include <cstdint>
#include <string>

namespace kura::drill {

struct WriteAttempt {
  int64_t id = 0;           // the sequence number written
  double startSeconds = 0;  // since the drill started
  double latencySeconds = 0;
  bool acked = false;
  std::string error;  // the client's words when not acked

  double endSeconds() const { return startSeconds + latencySeconds; }
};

}  // namespace kura::drill
