#include "services/cloudwatch/metric_input.h"

#include <cmath>

#include "common/time_format.h"

namespace kura {

ApiError invalidParameter(const std::string& message) { return ApiError::sender("InvalidParameterValue", message); }

Result<MetricId> metricIdOf(const Json& in) {
  MetricId metric{in.value("Namespace", ""), in.value("MetricName", ""), {}};
  for (const Json& dimension : in.value("Dimensions", Json::array())) {
    std::string name = dimension.value("Name", ""), value = dimension.value("Value", "");
    // The store's key joins dimensions with newlines and '=' (metric_store.cpp).
    if (name.find_first_of("=\n") != std::string::npos || value.find('\n') != std::string::npos) {
      return invalidParameter("The dimension " + name + " holds a character Kura does not accept in dimensions.");
    }
    for (const auto& [seen, unused] : metric.dimensions) {
      if (seen == name) return invalidParameter("No metric may have duplicate dimensions: " + name + ".");
    }
    metric.dimensions.emplace_back(name, value);
  }
  return metric;
}

Result<double> periodOf(const Json& value) {
  int64_t period = value.is_number_integer() ? value.get<int64_t>() : 0;
  if (period <= 0 || (period % 60 != 0 && period != 1 && period != 5 && period != 10 && period != 30)) {
    return invalidParameter("The parameter Period must be 1, 5, 10, 30, or a multiple of 60.");
  }
  return static_cast<double>(period);
}

Result<double> timeOf(const Json& in, const char* name) {
  if (!in.contains(name)) {
    return ApiError::sender("MissingParameter", std::string("The parameter ") + name + " is required.");
  }
  const Json& value = in[name];
  if (value.is_number()) return value.get<double>();
  auto parsed = parseTimestamp(value.get<std::string>());
  if (!parsed) return invalidParameter(std::string("The parameter ") + name + " is not a valid timestamp.");
  return toEpochSeconds(*parsed);
}

bool isStatistic(const std::string& statistic) {
  return statistic == "SampleCount" || statistic == "Average" || statistic == "Sum" || statistic == "Minimum" ||
         statistic == "Maximum";
}

std::optional<double> statisticOf(const MetricBucket& bucket, const std::string& statistic) {
  if (statistic == "SampleCount") return bucket.count;
  if (statistic == "Sum") return bucket.sum;
  if (statistic == "Minimum") return bucket.minimum;
  if (statistic == "Maximum") return bucket.maximum;
  if (statistic == "Average") return bucket.count > 0 ? bucket.sum / bucket.count : 0.0;
  return std::nullopt;
}

double periodStart(double time, double period) { return std::floor(time / period) * period; }

}  // namespace kura
