#pragma once
// The CloudWatch alarms of a target-tracking policy, as AWS creates them for
// a DynamoDB target: on the table's (or index's) consumed capacity metric
// (AWS/DynamoDB ConsumedRead/WriteCapacityUnits, Sum per period),
//   AlarmHigh: above TargetValue% of the provisioned units for 2 periods,
//   AlarmLow:  below (TargetValue - 20)% of them for 15 periods,
// each with the policy's ARN as its action. Their thresholds follow the
// provisioned units: they are rewritten after each scaling. A period
// without datapoints is a period without consumption (DynamoDB publishes
// nothing for an idle table), so AlarmHigh treats it as not breaching and
// AlarmLow as breaching.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "services/applicationautoscaling/scalable_dimensions.h"
#include "services/applicationautoscaling/scaling_store.h"
#include "services/cloudwatch/alarm_store.h"

namespace kura {

// Application Auto Scaling's clocks: a minute of AWS's (the alarms'
// period, the cooldowns) lasts 60 / scale seconds; 1 is AWS's own pace.
// `kura serve --autoscaling-time-scale 60` makes a minute a second (tests).
struct ScalingTimes {
  double scale = 1;
  // The alarms' period: whole seconds, at least one.
  double period() const { return std::max(1.0, std::floor(60 / scale)); }
  double seconds(double awsSeconds) const { return awsSeconds / scale; }
};

constexpr int kHighPeriods = 2;
constexpr int kLowPeriods = 15;
constexpr double kLowMargin = 20;  // percentage points below the target

// The alarm names a policy's alarms get: TargetTracking-<resource>-AlarmHigh-<uuid>.
std::string trackingAlarmName(const std::string& resourceId, bool high, const std::string& id);
// Writes (or rewrites, keeping the state) the policy's two alarms for the
// target's provisioned `capacity`.
void putTrackingAlarms(AlarmStore& alarms, const TargetKey& key, const ScalableResource& target, const Json& policy,
                       int64_t capacity, const ScalingTimes& times, double now);
void deleteTrackingAlarms(AlarmStore& alarms, const TargetKey& key, const Json& policy);

}  // namespace kura
