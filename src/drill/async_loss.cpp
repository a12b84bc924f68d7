#include "drill/async_loss.h"

#include <fmt/format.h>

namespace kura::drill {

void judgeAsynchronousLoss(DrillReport& report, int maxLost) {
  std::string limit = fmt::format("--max-lost {}", maxLost);
  report.notes.push_back(
      "Redis replicates asynchronously: in a failover the writes the primary acknowledged and had not yet sent to "
      "its replica are lost. The loss is reported; " +
      (maxLost < 0 ? std::string("it does not fail the drill (no --max-lost given).")
                   : "it fails the drill only beyond " + limit + "."));
  // runUnderWorkload's verdict when everything but the loss was right.
  bool onlyLoss = !report.passed && report.recovery.rtoSeconds && report.loss.lost > 0 &&
                  report.verdictReason == fmt::format("{} acknowledged writes were lost", report.loss.lost);
  if (!onlyLoss) return;
  if (maxLost >= 0 && report.loss.lost > maxLost) {
    report.verdictReason = fmt::format("{} acknowledged writes were lost, more than --max-lost {}", report.loss.lost,
                                       maxLost);
    return;
  }
  report.passed = true;
  report.verdictReason =
      fmt::format("writes succeeded steadily {:.2f} s after the fault; {} acknowledged writes were lost "
                  "(asynchronous replication, within {})",
                  *report.recovery.rtoSeconds, report.loss.lost, maxLost < 0 ? "no limit" : limit);
}

}  // namespace kura::drill
