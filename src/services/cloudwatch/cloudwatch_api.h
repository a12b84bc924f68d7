#pragma once
// CloudWatch's operations: metrics (metric_handlers.cpp) and metric alarms
// (alarm_handlers.cpp), and the pass that evaluates every alarm.
#include "services/core/service_env.h"
#include "services/core/handler_table.h"
#include "services/cloudwatch/alarm_store.h"
#include "services/cloudwatch/metric_store.h"

namespace kura {

class CloudWatchApi {
 public:
  CloudWatchApi(ServiceEnv env, MetricStore& metrics, AlarmStore& alarms)
      : env_(std::move(env)), metrics_(metrics), alarms_(alarms) {}
  void bind(HandlerTable& handlers);
  // Every alarm against its metric, now; a changed state is recorded with
  // its history (and the actions it would take).
  void evaluateAlarms();
  double now() const;

 private:
  Result<Json> putMetricData(const RequestContext& c, const Json& in);
  Result<Json> getMetricStatistics(const RequestContext& c, const Json& in);
  Result<Json> getMetricData(const RequestContext& c, const Json& in);
  Result<Json> listMetrics(const RequestContext& c, const Json& in);

  Result<Json> putMetricAlarm(const RequestContext& c, const Json& in);
  Result<Json> describeAlarms(const RequestContext& c, const Json& in);
  Result<Json> describeAlarmsForMetric(const RequestContext& c, const Json& in);
  Result<Json> deleteAlarms(const RequestContext& c, const Json& in);
  Result<Json> setAlarmState(const RequestContext& c, const Json& in);
  Result<Json> describeAlarmHistory(const RequestContext& c, const Json& in);
  Result<Json> setAlarmActions(const RequestContext& c, const Json& in, bool enabled);
  // Records a new state (StateUpdate history, and an Action item for each
  // action of that state); false if the alarm changed meanwhile.
  bool changeState(const AlarmRef& ref, const Json& alarm, const std::string& state, const std::string& reason,
                   const Json& reasonData);

  ServiceEnv env_;
  MetricStore& metrics_;
  AlarmStore& alarms_;
};

}  // namespace kura
