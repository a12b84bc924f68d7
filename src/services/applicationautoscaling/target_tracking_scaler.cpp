#include "services/applicationautoscaling/target_tracking_scaler.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "common/time_format.h"
#include "services/cloudwatch/metric_input.h"

namespace kura {

Json scalingActivity(const TargetKey& key, const std::string& description, const std::string& cause, double now) {
  return {{"ActivityId", newUuid()},  {"ServiceNamespace", key.nameSpace}, {"ResourceId", key.resourceId},
          {"ScalableDimension", key.dimension}, {"Description", description}, {"Cause", cause},
          {"StartTime", now},          {"StatusCode", "InProgress"}};
}

void TargetTrackingScaler::pass() {
  double now = toEpochSeconds(clock_->now());
  for (const auto& [key, policy] : store_.policies("", "", "")) {
    if (policy.value("PolicyType", "") != "TargetTrackingScaling") continue;
    try {
      evaluate(key, policy, now);
    } catch (const std::exception& error) {
      spdlog::error("msg=\"auto scaling pass failed\" resource={} policy={} error=\"{}\"", key.resourceId,
                    policy.value("PolicyName", ""), error.what());
    }
  }
}

double TargetTrackingScaler::consumedRate(const TargetKey& key, const ScalableResource& target, int periods,
                                          double now) {
  // The periods the alarm evaluated (alarm_evaluation.h): the last
  // `periods` ending with the one still filling once it has data, else
  // with the last complete one.
  double period = times_.period();
  double filling = periodStart(now, period);
  MetricId metric{"AWS/DynamoDB", target.read ? "ConsumedReadCapacityUnits" : "ConsumedWriteCapacityUnits",
                  {{"TableName", target.table}}};
  if (!target.index.empty()) metric.dimensions.emplace_back("GlobalSecondaryIndexName", target.index);
  std::vector<MetricBucket> buckets = metrics_.statistics(key.account, key.region, metric, filling - periods * period,
                                                          filling + period, period, "");
  bool fillingHasData = std::any_of(buckets.begin(), buckets.end(),
                                    [&](const MetricBucket& bucket) { return bucket.start >= filling; });
  double oldest = fillingHasData ? filling - (periods - 1) * period : filling - periods * period;
  double highest = 0;
  for (const MetricBucket& bucket : buckets) {
    if (bucket.start >= oldest) highest = std::max(highest, bucket.sum / period);
  }
  return highest;
}

void TargetTrackingScaler::evaluate(const TargetKey& key, const Json& policy, double now) {
  auto target = parseScalableTarget(key.nameSpace, key.resourceId, key.dimension);
  if (!target) return;
  auto registered = store_.target(key);
  if (!registered) return;
  const Json& alarmsOf = policy.value("Alarms", Json::array());
  if (alarmsOf.size() < 2) return;
  auto high = alarms_.get({key.account, key.region, alarmsOf[0]["AlarmName"]});
  auto low = alarms_.get({key.account, key.region, alarmsOf[1]["AlarmName"]});
  // An alarm whose actions are disabled (DisableAlarmActions) does not
  // trigger the policy, as in AWS.
  bool out = high && high->value("StateValue", "") == "ALARM" && high->value("ActionsEnabled", true);
  bool in = low && low->value("StateValue", "") == "ALARM" && low->value("ActionsEnabled", true);
  const Json& config = policy["TargetTrackingScalingPolicyConfiguration"];
  const Json suspended = registered->value("SuspendedState", Json::object());
  if (out && suspended.value("DynamicScalingOutSuspended", false)) out = false;
  if (in && (suspended.value("DynamicScalingInSuspended", false) || config.value("DisableScaleIn", false))) in = false;
  auto current = capacity_.current(key.account, key.region, *target);
  if (!current) return;  // the table is gone or changing: the next pass
  // The alarms follow the provisioned units (a user's UpdateTable too).
  putTrackingAlarms(alarms_, key, *target, policy, *current, times_, now);
  if (!out && !in) return;
  double lastOut = registered->value("_lastScaleOut", 0.0), lastIn = registered->value("_lastScaleIn", 0.0);
  double targetValue = config.value("TargetValue", 70.0);
  int64_t minimum = registered->value("MinCapacity", int64_t{1}), maximum = registered->value("MaxCapacity", int64_t{1});
  double rate = consumedRate(key, *target, out ? kHighPeriods : kLowPeriods, now);
  auto wanted = static_cast<int64_t>(std::ceil(rate / (targetValue / 100.0) - 1e-9));
  wanted = std::clamp(wanted, minimum, maximum);
  if (out) {
    if (wanted <= *current) return;
    if (now - lastOut < times_.seconds(config.value("ScaleOutCooldown", 0.0))) return;
  } else {
    if (wanted >= *current) return;
    if (now - std::max(lastIn, lastOut) < times_.seconds(config.value("ScaleInCooldown", 0.0))) return;
  }
  std::string word = capacityNoun(*target);
  std::string alarmName = (out ? alarmsOf[0] : alarmsOf[1])["AlarmName"];
  Json activity = scalingActivity(
      key, "Setting " + word + " to " + std::to_string(wanted) + ".",
      "monitor alarm " + alarmName + " in state ALARM triggered policy " + policy.value("PolicyName", ""), now);
  store_.putActivity(key, activity);  // InProgress first: a kill during the change leaves it so
  auto set = capacity_.set(key.account, key.region, *target, wanted);
  double end = toEpochSeconds(clock_->now());
  activity["EndTime"] = end;
  if (set) {
    activity["StatusCode"] = "Successful";
    activity["StatusMessage"] = "Successfully set " + word + " to " + std::to_string(wanted) +
                                ". Change successfully fulfilled by " + key.nameSpace + ".";
    Json updated = *registered;
    updated[out ? "_lastScaleOut" : "_lastScaleIn"] = end;
    store_.putTarget(key, updated);
    putTrackingAlarms(alarms_, key, *target, policy, wanted, times_, end);
  } else {
    activity["StatusCode"] = "Failed";
    activity["StatusMessage"] = "Failed to set " + word + " to " + std::to_string(wanted) + ". Reason: " +
                                set.error().message;
  }
  store_.putActivity(key, activity);
  spdlog::info("msg=\"auto scaling\" resource={} dimension={} from={} to={} status={}", key.resourceId, key.dimension,
               *current, wanted, activity["StatusCode"].get<std::string>());
}

}  // namespace kura
