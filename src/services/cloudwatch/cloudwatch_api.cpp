#include "services/cloudwatch/cloudwatch_api.h"

#include "common/time_format.h"

namespace kura {

double CloudWatchApi::now() const { return toEpochSeconds(env_.clock->now()); }

void CloudWatchApi::bind(HandlerTable& handlers) {
  auto add = [&](const char* operation, Result<Json> (CloudWatchApi::*method)(const RequestContext&, const Json&)) {
    handlers.add(operation, [this, method](const RequestContext& c, const Json& in) { return (this->*method)(c, in); });
  };
  add("PutMetricData", &CloudWatchApi::putMetricData);
  add("GetMetricStatistics", &CloudWatchApi::getMetricStatistics);
  add("GetMetricData", &CloudWatchApi::getMetricData);
  add("ListMetrics", &CloudWatchApi::listMetrics);
  add("PutMetricAlarm", &CloudWatchApi::putMetricAlarm);
  add("DescribeAlarms", &CloudWatchApi::describeAlarms);
  add("DescribeAlarmsForMetric", &CloudWatchApi::describeAlarmsForMetric);
  add("DeleteAlarms", &CloudWatchApi::deleteAlarms);
  add("SetAlarmState", &CloudWatchApi::setAlarmState);
  add("DescribeAlarmHistory", &CloudWatchApi::describeAlarmHistory);
  handlers.add("EnableAlarmActions",
               [this](const RequestContext& c, const Json& in) { return setAlarmActions(c, in, true); });
  handlers.add("DisableAlarmActions",
               [this](const RequestContext& c, const Json& in) { return setAlarmActions(c, in, false); });
}

}  // namespace kura
