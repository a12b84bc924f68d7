#pragma once
// The pass that makes target-tracking policies scale: for each policy, its
// alarms' states (CloudWatch evaluates them each second): AlarmHigh in
// ALARM scales out, AlarmLow in ALARM scales in (unless DisableScaleIn), to
// the capacity at which the consumed units of the last period(s) would be
// TargetValue% of it (the highest rate of the periods the alarm
// evaluated), within the target's MinCapacity and MaxCapacity,
// once the policy's cooldown since the last scaling has passed (a scale-out
// does not wait for a scale-in's cooldown). The change goes through
// UpdateTable, and each scaling is recorded as a scaling activity (written
// InProgress before the change, Successful or Failed after: a kill between
// leaves it InProgress, as AWS shows an activity it did not finish).
#include "services/applicationautoscaling/target_capacity.h"
#include "services/applicationautoscaling/scaling_store.h"
#include "services/applicationautoscaling/tracking_alarms.h"
#include "services/cloudwatch/alarm_store.h"
#include "services/cloudwatch/metric_store.h"

namespace kura {

class TargetTrackingScaler {
 public:
  TargetTrackingScaler(ScalingStore& store, AlarmStore& alarms, MetricStore& metrics, TargetCapacity& capacity,
                       ScalingTimes times, ClockPtr clock)
      : store_(store), alarms_(alarms), metrics_(metrics), capacity_(capacity), times_(times), clock_(std::move(clock)) {}

  void pass();

 private:
  void evaluate(const TargetKey& key, const Json& policy, double now);
  // Units consumed per second: the highest of the `periods` periods the
  // alarm evaluated (ending with the one still filling once it has data,
  // else with the last complete one: alarm_evaluation.h).
  double consumedRate(const TargetKey& key, const ScalableResource& target, int periods, double now);

  ScalingStore& store_;
  AlarmStore& alarms_;
  MetricStore& metrics_;
  TargetCapacity& capacity_;
  ScalingTimes times_;
  ClockPtr clock_;
};

// A new scaling activity, InProgress, started at `now`.
Json scalingActivity(const TargetKey& key, const std::string& description, const std::string& cause, double now);

}  // namespace kura
