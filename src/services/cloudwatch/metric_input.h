#pragma once
// What CloudWatch's metric operations read from their input, checked as
// CloudWatch checks it: metric identities, periods, statistics, times.
#include <optional>
#include <string>

#include "common/api_error.h"
#include "services/core/handler_table.h"
#include "services/cloudwatch/metric_store.h"

namespace kura {

ApiError invalidParameter(const std::string& message);

// Namespace, MetricName and Dimensions of a request or a MetricStat's Metric.
Result<MetricId> metricIdOf(const Json& in);
// 1, 5, 10, 30 or a multiple of 60 seconds.
Result<double> periodOf(const Json& value);
// A time given as the query protocol passes it (ISO 8601 or epoch seconds).
Result<double> timeOf(const Json& in, const char* name);
// "SampleCount", "Average", "Sum", "Minimum" or "Maximum" of a bucket.
std::optional<double> statisticOf(const MetricBucket& bucket, const std::string& statistic);
bool isStatistic(const std::string& statistic);
// Where a period starts: periods are aligned to whole multiples of their
// length since the epoch, as CloudWatch aligns them.
double periodStart(double time, double period);

}  // namespace kura
