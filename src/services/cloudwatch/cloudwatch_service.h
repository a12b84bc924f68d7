#pragma once
#include "services/core/service_module.h"
#include "services/cloudwatch/alarm_store.h"
#include "services/cloudwatch/metric_store.h"

namespace kura {

// Amazon CloudWatch (signing name "monitoring", query protocol): metrics
// (PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics) over
// MetricStore, and metric alarms evaluated against them. `alarms`: the
// alarm store when another service writes alarms too (Application Auto
// Scaling's); null: the module opens its own.
ServiceModulePtr makeCloudWatchService(const ServiceEnv& env, MetricStore& store, AlarmStore* alarms = nullptr);

}  // namespace kura
