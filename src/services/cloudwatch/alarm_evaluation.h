#pragma once
// How a metric alarm's state follows its metric (CloudWatch's "M out of N"):
// the statistic of each of the last EvaluationPeriods periods (the newest
// one still filling, once it has data; until then the last complete ones)
// is compared with the threshold; DatapointsToAlarm
// breaching periods put it in ALARM, else it is OK; periods without data
// count as TreatMissingData says (missing: no data at all means
// INSUFFICIENT_DATA; ignore: the state stays; breaching; notBreaching).
#include <string>

#include "services/core/handler_table.h"
#include "services/cloudwatch/metric_store.h"

namespace kura {

struct AlarmVerdict {
  std::string state;  // OK, ALARM, INSUFFICIENT_DATA
  std::string reason;
  Json reasonData;
};

// `account`, `region`: where the alarm (and its metric) live.
AlarmVerdict evaluateAlarm(const Json& alarm, MetricStore& metrics, const std::string& account,
                           const std::string& region, double now);

// "greater than", ... for a ComparisonOperator; empty for one Kura does not
// evaluate (the anomaly-detection bands).
std::string comparisonText(const std::string& comparisonOperator);

}  // namespace kura
