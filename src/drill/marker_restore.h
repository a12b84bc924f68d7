#pragma once
// What the snapshot-restore drills of an instance and of an Aurora cluster
// share: the report's header, the marker rows written before the snapshot,
// the markers read back from the restored copy, and the verdict.
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "drill/database_target.h"
#include "drill/drill_context.h"
#include "drill/workload.h"

namespace kura::drill {

constexpr int kSnapshotMarkers = 50;

// The report's header; `snapshotKind` is "snapshot" or "cluster snapshot".
void startMarkerReport(DrillContext& context, const DatabaseTarget& target, const Workload& workload,
                       std::string_view snapshotKind, DrillReport& report);
// kSnapshotMarkers rows, each an attempt of the report.
void writeMarkers(DrillContext& context, Workload& workload, DrillReport& report);
// The markers the restored copy at `restored`'s host and port holds, asked
// for up to 15 s (a restored server may turn the first connections away);
// nullopt and `readError` set when it never answered.
std::optional<std::set<int64_t>> readMarkersBack(const DatabaseTarget& restored, const std::string& table,
                                                 std::string& readError);
// The RTO (restore call to markers read back), the loss and the verdict;
// `copyKind` is "instance" or "cluster".
void judgeRestore(DrillContext& context, DrillReport& report, const std::optional<std::set<int64_t>>& held,
                  const std::string& readError, std::string_view copyKind, std::string_view snapshotKind);

}  // namespace kura::drill
