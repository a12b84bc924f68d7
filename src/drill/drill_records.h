#pragma once
// How a drill records the incident, beside the trail entry every API call
// leaves: an event of the resource (Kura's RecordDrillEvent; the fault
// API adds the start event itself) and the drill's summary in CloudWatch
// Logs (group /kura/drills, stream "<drill>/<resource type>/<id>", one JSON
// event per drill), which `kura check` reads the last drill per resource
// from. It reads back the resource's events of the drill for the report.
// Each function returns a note for the report when it could not do its part.
#include <optional>
#include <string>
#include <vector>

#include "drill/drill_context.h"
#include "drill/drill_report.h"

namespace kura::drill {

// The log stream of a drill's runs on one resource.
std::string drillLogStream(const std::string& drill, const std::string& resourceType, const std::string& resource);
// The summary the log holds: one JSON object (drill, resource, verdict, RTO, RPO, ...).
std::string drillLogMessage(const DrillReport& report);

std::optional<std::string> recordDrillEvent(DrillContext& context, const DrillReport& report,
                                            const std::string& message);
std::optional<std::string> writeDrillLog(DrillContext& context, const DrillReport& report);
// The events of the writer instance (and of the cluster) since the drill began.
std::vector<SeenEvent> eventsSinceStart(DrillContext& context, const DrillReport& report, std::string& note);

}  // namespace kura::drill
