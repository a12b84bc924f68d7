#include "services/monitoring/monitoring_api.h"

#include "common/time_format.h"

namespace kura {

double MonitoringApi::now() const { return toEpochSeconds(env_.clock->now()); }

void MonitoringApi::bind(HandlerTable& handlers) {
  auto add = [&](const char* operation, Result<Json> (MonitoringApi::*method)(const RequestContext&, const Json&)) {
    handlers.add(operation, [this, method](const RequestContext& c, const Json& in) { return (this->*method)(c, in); });
  };
  add("PutMetricData", &MonitoringApi::putMetricData);
  add("GetMetricStatistics", &MonitoringApi::getMetricStatistics);
  add("GetMetricData", &MonitoringApi::getMetricData);
  add("ListMetrics", &MonitoringApi::listMetrics);
  add("PutMetricAlarm", &MonitoringApi::putMetricAlarm);
  add("DescribeAlarms", &MonitoringApi::describeAlarms);
  add("DescribeAlarmsForMetric", &MonitoringApi::describeAlarmsForMetric);
  add("DeleteAlarms", &MonitoringApi::deleteAlarms);
  add("SetAlarmState", &MonitoringApi::setAlarmState);
  add("DescribeAlarmHistory", &MonitoringApi::describeAlarmHistory);
  handlers.add("EnableAlarmActions",
               [this](const RequestContext& c, const Json& in) { return setAlarmActions(c, in, true); });
  handlers.add("DisableAlarmActions",
               [this](const RequestContext& c, const Json& in) { return setAlarmActions(c, in, false); });
}

}  // namespace kura
