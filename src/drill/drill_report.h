#pragma once
// What a drill found, in the order its report tells it: the resource, the
// fault and how it was injected, RTO and RPO, the writes, the events the
// endpoint recorded, and every write attempt for the timeline.
#include <optional>
#include <string>
#include <vector>

#include "drill/timeline.h"
#include "drill/write_attempt.h"

namespace kura::drill {

struct SeenEvent {
  std::string date;  // ISO 8601, as the endpoint gave it
  std::string source;
  std::string message;
};

struct DrillReport {
  std::string drill, resourceType, resource, engine, endpointUrl, region;
  std::string writerInstance;  // the instance whose events the report shows (the resource, or a cluster's writer)
  std::string workload;        // Workload::describe()
  std::string startedAt;       // ISO 8601 UTC
  double durationSeconds = 0;  // of the whole drill
  std::string fault;           // "kill of the primary at the engine", "RebootDBInstance ForceFailover"
  std::string faultMethod;     // "kura:InjectFault" or the public API call
  double faultAt = 0;          // seconds since the start
  Recovery recovery;
  Loss loss;
  std::vector<SeenEvent> events;
  std::vector<std::string> notes;  // fallbacks, records that could not be made
  std::vector<WriteAttempt> attempts;
  bool passed = false;  // recovered within the limit and nothing acknowledged lost
  std::string verdictReason;

  // "RTO 3.42 s, RPO 0 writes (0.00 s), 512 attempted, 498 acked, 0 lost": one line.
  std::string summaryLine() const;
};

}  // namespace kura::drill
