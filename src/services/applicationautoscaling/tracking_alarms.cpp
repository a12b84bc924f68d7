#include "services/applicationautoscaling/tracking_alarms.h"

#include <fmt/format.h>

namespace kura {

std::string trackingAlarmName(const std::string& resourceId, bool high, const std::string& id) {
  return "TargetTracking-" + resourceId + (high ? "-AlarmHigh-" : "-AlarmLow-") + id;
}

namespace {

Json alarmOf(const TargetKey& key, const ScalableResource& target, const Json& policy, bool high, int64_t capacity,
             const ScalingTimes& times, double now) {
  const Json& config = policy["TargetTrackingScalingPolicyConfiguration"];
  double targetValue = config.value("TargetValue", 70.0);
  double percent = high ? targetValue : std::max(0.0, targetValue - kLowMargin);
  double period = times.period();
  int periods = high ? kHighPeriods : kLowPeriods;
  double threshold = percent / 100.0 * static_cast<double>(capacity) * period;
  Json dimensions = Json::array({{{"Name", "TableName"}, {"Value", target.table}}});
  if (!target.index.empty()) dimensions.push_back({{"Name", "GlobalSecondaryIndexName"}, {"Value", target.index}});
  std::string name = policy["Alarms"][high ? 0 : 1]["AlarmName"];
  return {{"AlarmName", name},
          {"AlarmArn", "arn:aws:cloudwatch:" + key.region + ":" + key.account + ":alarm:" + name},
          {"AlarmDescription",
           fmt::format("DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {}.", policy["PolicyARN"].get<std::string>())},
          {"ActionsEnabled", true},
          {"OKActions", Json::array()},
          {"AlarmActions", Json::array({policy["PolicyARN"]})},
          {"InsufficientDataActions", Json::array()},
          {"Namespace", "AWS/DynamoDB"},
          {"MetricName", target.read ? "ConsumedReadCapacityUnits" : "ConsumedWriteCapacityUnits"},
          {"Dimensions", dimensions},
          {"Statistic", "Sum"},
          {"Period", static_cast<int64_t>(period)},
          {"EvaluationPeriods", periods},
          {"DatapointsToAlarm", periods},
          {"Threshold", threshold},
          {"ComparisonOperator", high ? "GreaterThanThreshold" : "LessThanThreshold"},
          {"TreatMissingData", high ? "notBreaching" : "breaching"},
          {"AlarmConfigurationUpdatedTimestamp", now}};
}

}  // namespace

void putTrackingAlarms(AlarmStore& alarms, const TargetKey& key, const ScalableResource& target, const Json& policy,
                       int64_t capacity, const ScalingTimes& times, double now) {
  for (bool high : {true, false}) {
    Json alarm = alarmOf(key, target, policy, high, capacity, times, now);
    AlarmRef ref{key.account, key.region, alarm["AlarmName"]};
    auto existing = alarms.get(ref);
    if (existing && existing->value("Threshold", -1.0) == alarm["Threshold"].get<double>() &&
        existing->value("Period", 0.0) == alarm["Period"].get<double>()) {
      continue;  // unchanged
    }
    carryAlarmState(alarm, existing, now, Json::array());
    alarms.put(ref, alarm);
    alarms.addHistory(ref, {0, ref.name, now, "ConfigurationUpdate",
                            "Alarm \"" + ref.name + "\" " + (existing ? "updated" : "created"),
                            Json{{"version", "1.0"}, {"type", existing ? "Update" : "Create"}}.dump()});
  }
}

void deleteTrackingAlarms(AlarmStore& alarms, const TargetKey& key, const Json& policy) {
  std::vector<std::string> names;
  for (const Json& alarm : policy.value("Alarms", Json::array())) names.push_back(alarm["AlarmName"]);
  // One at a time: an alarm the user deleted already does not keep the other.
  for (const std::string& name : names) alarms.remove(key.account, key.region, {name});
}

}  // namespace kura
