#pragma once
// The shape of a point-in-time restore drill (accidental-delete), for any
// store with PITR: marker writes, a time T after the last of them, the
// accident (every marker deleted through the store's own client), the wait
// until the store can be restored to T, the restore to T into a temporary
// copy, and every marker read back there. The report's RTO runs from the
// accident to the data read back; its RPO counts the markers acknowledged
// before T that the copy lacks. The caller makes and deletes the copy.
#include <functional>
#include <optional>
#include <string>

#include "common/clock.h"
#include "drill/drill_context.h"
#include "drill/workload.h"

namespace kura::drill {

// The store's latest restorable time now (nullopt: not known yet).
using RestorableTime = std::function<std::optional<SystemTime>()>;
// Restores the store to `pointInTime` into the temporary copy and answers
// a workload that reads the copy; nullptr and `problem` set when it fails.
using RestoreStep = std::function<WorkloadPtr(SystemTime pointInTime, std::string& problem)>;

// `report` comes with the resource's fields filled; `method` names the
// restore call ("rds:RestoreDBInstanceToPointInTime").
struct PointInTimeRun {
  DrillReport report;
  std::string method = "rds:RestoreDBInstanceToPointInTime";
  std::string copyKind = "instance";  // what the temporary copy is, for the report
};

DrillResult runPointInTimeDrill(DrillContext& context, Workload& source, PointInTimeRun& run,
                                const RestorableTime& restorable, const RestoreStep& restore);

// A timestamp as an API answer gives it: ISO 8601 text or epoch seconds.
std::optional<SystemTime> timestampOf(const nlohmann::json& value);

}  // namespace kura::drill
