#pragma once
// Scheduled actions: at their time a scalable target's MinCapacity and
// MaxCapacity become the action's (ScalableTargetAction), and capacity
// outside the new range is brought within it, recorded as a scaling
// activity. Schedules: at(yyyy-mm-ddThh:mm:ss), rate(<n> minute(s)|hour(s)|
// day(s)) and cron(<minutes> <hours> <day of month> <month> <day of week>
// <year>) with *, ?, lists, ranges and steps of numbers, in UTC (the only
// Timezone Kura takes). A rate's interval follows ScalingTimes (a minute
// lasts a second at scale 60); at and cron follow the wall clock.
// An action's last run is written after it ran: a kill in between runs it
// again after the restart, which sets the same range again.
#include "services/applicationautoscaling/target_capacity.h"
#include "services/applicationautoscaling/scaling_store.h"
#include "services/applicationautoscaling/tracking_alarms.h"

namespace kura {

// ValidationException for a schedule Kura cannot run.
Result<bool> checkSchedule(const Json& action);

class ScheduledActionRunner {
 public:
  ScheduledActionRunner(ScalingStore& store, TargetCapacity& capacity, ScalingTimes times, ClockPtr clock)
      : store_(store), capacity_(capacity), times_(times), clock_(std::move(clock)) {}
  void pass();

 private:
  bool due(const Json& action, double now) const;
  void run(const TargetKey& key, Json action, double now);

  ScalingStore& store_;
  TargetCapacity& capacity_;
  ScalingTimes times_;
  ClockPtr clock_;
};

}  // namespace kura
