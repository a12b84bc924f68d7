#pragma once
// The common shape of a drill that measures a fault under a steady write
// workload: start the workload, inject the fault, wait until writes
// succeed steadily again (or the time is up), read back every acknowledged
// write, and fill the report's RTO, RPO and verdict. A drill supplies the
// workload and the fault; instance-failure and az-failure differ only there.
#include <functional>
#include <string>
#include <variant>

#include "drill/database_target.h"
#include "drill/drill_context.h"
#include "drill/fault_injection.h"
#include "drill/workload.h"

namespace kura::drill {

using FaultStep = std::function<std::variant<InjectedFault, std::string>()>;

// Runs `workload` across `fault` against `target`; the report's drill and
// resource fields filled from the context and target.
DrillResult runUnderWorkload(DrillContext& context, const DatabaseTarget& target, Workload& workload,
                             const FaultStep& fault);

// A fresh table or key prefix name for one drill run: "kura_drill_" and 8 hex digits.
std::string freshWorkloadName();

}  // namespace kura::drill
