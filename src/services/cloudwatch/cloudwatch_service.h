#pragma once
#include "services/core/service_module.h"
#include "services/cloudwatch/metric_store.h"

namespace kura {

// Amazon CloudWatch (signing name "monitoring", query protocol): metrics
// (PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics) over
// MetricStore, and metric alarms evaluated against them.
ServiceModulePtr makeCloudWatchService(const ServiceEnv& env, MetricStore& store);

}  // namespace kura
