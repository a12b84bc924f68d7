#pragma once
// The verdict of a drill on a store that replicates asynchronously (Redis):
// a failover loses the writes the primary acknowledged and had not yet
// sent to the replica, by design. Such a loss is reported, and fails the
// drill only beyond --max-lost (the default: never); the report says so.
#include "drill/drill_report.h"

namespace kura::drill {

// Adjusts the verdict runUnderWorkload gave: passed when it failed only
// because of lost writes, no more than maxLost of them (maxLost < 0: any).
void judgeAsynchronousLoss(DrillReport& report, int maxLost);

}  // namespace kura::drill
