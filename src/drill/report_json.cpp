#include <nlohmann/json.hpp>

#include "drill/report_formats.h"
#include "drill/timeline.h"

namespace kura::drill {

std::string formatDrillJson(const DrillReport& report) {
  using Json = nlohmann::json;
  Json events = Json::array();
  for (const auto& event : report.events) {
    events.push_back({{"date", event.date}, {"source", event.source}, {"message", event.message}});
  }
  Json timeline = Json::array();
  for (const auto& slice : sliceTimeline(report.attempts, 1.0)) {
    timeline.push_back({{"start", slice.start},
                        {"attempts", slice.attempts},
                        {"acked", slice.acked},
                        {"meanLatency", slice.meanLatency},
                        {"maxLatency", slice.maxLatency}});
  }
  auto optional = [](const std::optional<double>& value) { return value ? Json(*value) : Json(); };
  Json out = {{"drill", report.drill},
              {"resourceType", report.resourceType},
              {"resource", report.resource},
              {"engine", report.engine},
              {"endpointUrl", report.endpointUrl},
              {"region", report.region},
              {"workload", report.workload},
              {"startedAt", report.startedAt},
              {"durationSeconds", report.durationSeconds},
              {"fault", report.fault},
              {"faultMethod", report.faultMethod},
              {"faultAt", report.faultAt},
              {"outageSeen", report.recovery.outageSeen},
              {"firstFailureAt", optional(report.recovery.firstFailureAt)},
              {"recoveredAt", optional(report.recovery.recoveredAt)},
              {"rtoSeconds", optional(report.recovery.rtoSeconds)},
              {"rpoSeconds", report.loss.rpoSeconds},
              {"attempted", report.loss.attempted},
              {"acked", report.loss.acked},
              {"lost", report.loss.lost},
              {"lostIds", report.loss.lostIds},
              {"passed", report.passed},
              {"verdict", report.verdictReason},
              {"events", events},
              {"notes", report.notes},
              {"timeline", timeline}};
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace kura::drill
