// CloudWatch's metric operations over MetricStore.
#include <algorithm>
#include <cmath>
#include <regex>

#include <fmt/format.h>

#include "common/time_format.h"
#include "services/cloudwatch/metric_input.h"
#include "services/cloudwatch/cloudwatch_api.h"

namespace kura {
namespace {

constexpr size_t kMaxMetricData = 1000;
constexpr double kMaxDatapoints = 1440;
constexpr size_t kMaxQueries = 500;
constexpr size_t kListPage = 500;
constexpr double kTwoWeeks = 14 * 86400.0, kTwoHours = 2 * 3600.0;

ApiError combination(const std::string& message) { return ApiError::sender("InvalidParameterCombination", message); }

Json dimensionsJson(const MetricId& metric) {
  Json dimensions = Json::array();
  for (const auto& [name, value] : metric.dimensions) dimensions.push_back({{"Name", name}, {"Value", value}});
  return dimensions;
}

// The samples of one MetricDatum: a value, a statistic set, or values with counts.
Result<std::vector<MetricSample>> samplesOf(const Json& datum, const std::string& where, double now) {
  int given = datum.contains("Value") + datum.contains("StatisticValues") + datum.contains("Values");
  if (given != 1) {
    return combination("Exactly one of the parameters " + where + ".Value, " + where + ".StatisticValues and " +
                       where + ".Values must be specified.");
  }
  double timestamp = now;
  if (datum.contains("Timestamp")) {
    auto time = timeOf(datum, "Timestamp");
    if (!time) return time.error();
    timestamp = *time;
  }
  if (timestamp < now - kTwoWeeks || timestamp > now + kTwoHours) {
    return invalidParameter("The parameter " + where +
                            ".Timestamp must specify a time no more than two weeks in the past and no more than "
                            "two hours in the future.");
  }
  std::string unit = datum.value("Unit", "None");
  std::vector<MetricSample> samples;
  if (datum.contains("Value")) {
    double value = datum["Value"];
    samples.push_back({timestamp, 1, value, value, value, unit});
  } else if (datum.contains("StatisticValues")) {
    const Json& set = datum["StatisticValues"];
    double count = set["SampleCount"], minimum = set["Minimum"], maximum = set["Maximum"];
    if (count <= 0 || minimum > maximum) {
      return invalidParameter("The parameter " + where + ".StatisticValues is not a consistent statistic set.");
    }
    samples.push_back({timestamp, count, set["Sum"].get<double>(), minimum, maximum, unit});
  } else {
    const Json& values = datum["Values"];
    Json counts = datum.value("Counts", Json::array());
    if (!counts.empty() && counts.size() != values.size()) {
      return combination("The parameters " + where + ".Values and " + where +
                         ".Counts must be arrays of the same size.");
    }
    for (size_t i = 0; i < values.size(); ++i) {
      double value = values[i], count = counts.empty() ? 1.0 : counts[i].get<double>();
      if (count <= 0) continue;
      samples.push_back({timestamp, count, value * count, value, value, unit});
    }
  }
  return samples;
}

}  // namespace

Result<Json> CloudWatchApi::putMetricData(const RequestContext& c, const Json& in) {
  std::string nameSpace = in["Namespace"];
  if (nameSpace.rfind("AWS/", 0) == 0) {
    return invalidParameter("The value " + nameSpace + " for parameter Namespace is invalid.");
  }
  const Json& data = in["MetricData"];
  if (data.size() > kMaxMetricData) {
    return invalidParameter("The collection MetricData must not have a size greater than 1000.");
  }
  // Every datum is checked before any is stored: a bad one stores nothing.
  std::vector<std::pair<MetricId, std::vector<MetricSample>>> checked;
  double current = now();
  for (size_t i = 0; i < data.size(); ++i) {
    Json identity = data[i];
    identity["Namespace"] = nameSpace;
    auto metric = metricIdOf(identity);
    if (!metric) return metric.error();
    auto samples = samplesOf(data[i], "MetricData.member." + std::to_string(i + 1), current);
    if (!samples) return samples.error();
    checked.emplace_back(std::move(*metric), std::move(*samples));
  }
  for (auto& [metric, samples] : checked) metrics_.put(c.accountId, c.region, metric, samples);
  return Json::object();
}

Result<Json> CloudWatchApi::getMetricStatistics(const RequestContext& c, const Json& in) {
  auto metric = metricIdOf(in);
  auto period = periodOf(in["Period"]);
  auto start = timeOf(in, "StartTime");
  auto end = timeOf(in, "EndTime");
  for (const ApiError* error : {metric ? nullptr : &metric.error(), period ? nullptr : &period.error(),
                                start ? nullptr : &start.error(), end ? nullptr : &end.error()}) {
    if (error != nullptr) return *error;
  }
  if (*start >= *end) return invalidParameter("The parameter StartTime must be less than the parameter EndTime.");
  if (in.contains("ExtendedStatistics")) {
    return invalidParameter("Kura does not compute percentile statistics (ExtendedStatistics) yet.");
  }
  Json statistics = in.value("Statistics", Json::array());
  if (statistics.empty()) {
    return combination("At least one of the parameters Statistics and ExtendedStatistics must be specified.");
  }
  double from = periodStart(*start, *period);
  double points = std::ceil((*end - from) / *period);
  if (points > kMaxDatapoints) {
    return combination(fmt::format("You have requested up to {:.0f} datapoints, which exceeds the limit of 1,440. "
                                   "You may reduce the datapoints requested by increasing Period, or decreasing "
                                   "the time range.",
                                   points));
  }
  Json datapoints = Json::array();
  for (const MetricBucket& bucket :
       metrics_.statistics(c.accountId, c.region, *metric, from, *end, *period, in.value("Unit", ""))) {
    Json point = {{"Timestamp", bucket.start}, {"Unit", bucket.unit.empty() ? "None" : bucket.unit}};
    for (const Json& statistic : statistics) point[statistic.get<std::string>()] = *statisticOf(bucket, statistic);
    datapoints.push_back(std::move(point));
  }
  return Json{{"Label", metric->name}, {"Datapoints", datapoints}};
}

Result<Json> CloudWatchApi::getMetricData(const RequestContext& c, const Json& in) {
  auto start = timeOf(in, "StartTime");
  if (!start) return start.error();
  auto end = timeOf(in, "EndTime");
  if (!end) return end.error();
  if (*start >= *end) return invalidParameter("The parameter StartTime must be less than the parameter EndTime.");
  const Json& queries = in["MetricDataQueries"];
  if (queries.size() > kMaxQueries) {
    return invalidParameter("The collection MetricDataQueries must not have a size greater than 500.");
  }
  static const std::regex kId("[a-z][a-zA-Z0-9_]*");
  bool ascending = in.value("ScanBy", "TimestampDescending") == "TimestampAscending";
  int64_t budget = in.value("MaxDatapoints", int64_t{100800});
  Json results = Json::array();
  std::vector<std::string> ids;
  for (size_t i = 0; i < queries.size(); ++i) {
    const Json& query = queries[i];
    std::string id = query["Id"], where = "MetricDataQueries.member." + std::to_string(i + 1);
    if (!std::regex_match(id, kId)) {
      return invalidParameter("The value " + id + " for parameter " + where +
                              ".Id is invalid: it must start with a lowercase letter, then letters, digits or "
                              "underscores.");
    }
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
      return invalidParameter("The value " + id + " for parameter " + where + ".Id is not unique.");
    }
    ids.push_back(id);
    if (query.contains("Expression")) {
      return invalidParameter("Kura does not evaluate metric math or Metrics Insights (" + where +
                              ".Expression) yet.");
    }
    if (!query.contains("MetricStat")) {
      return combination("Exactly one of " + where + ".MetricStat and " + where + ".Expression must be specified.");
    }
    const Json& stat = query["MetricStat"];
    auto metric = metricIdOf(stat["Metric"]);
    if (!metric) return metric.error();
    auto period = periodOf(stat["Period"]);
    if (!period) return period.error();
    std::string statistic = stat["Stat"];
    if (!isStatistic(statistic)) {
      return invalidParameter("Kura computes the statistics SampleCount, Average, Sum, Minimum and Maximum; not " +
                              statistic + ".");
    }
    if (!query.value("ReturnData", true)) continue;
    auto buckets = metrics_.statistics(c.accountId, c.region, *metric, periodStart(*start, *period), *end, *period,
                                     stat.value("Unit", ""));
    if (!ascending) std::reverse(buckets.begin(), buckets.end());
    Json timestamps = Json::array(), values = Json::array();
    for (const MetricBucket& bucket : buckets) {
      if (budget <= 0) break;
      --budget;
      timestamps.push_back(bucket.start);
      values.push_back(*statisticOf(bucket, statistic));
    }
    results.push_back({{"Id", id},
                       {"Label", query.value("Label", metric->name)},
                       {"Timestamps", timestamps},
                       {"Values", values},
                       {"StatusCode", timestamps.size() < buckets.size() ? "PartialData" : "Complete"}});
  }
  return Json{{"MetricDataResults", results}, {"Messages", Json::array()}};
}

Result<Json> CloudWatchApi::listMetrics(const RequestContext& c, const Json& in) {
  std::vector<DimensionFilter> filters;
  for (const Json& filter : in.value("Dimensions", Json::array())) {
    DimensionFilter dimension{filter.value("Name", ""), std::nullopt};
    if (filter.contains("Value")) dimension.value = filter["Value"].get<std::string>();
    filters.push_back(std::move(dimension));
  }
  int64_t after = 0;
  if (in.contains("NextToken")) {
    try {
      after = std::stoll(in["NextToken"].get<std::string>());
    } catch (const std::exception&) {
      return invalidParameter("The parameter NextToken is not a token ListMetrics gave.");
    }
  }
  // RecentlyActive=PT3H: metrics with a datapoint put in the last three
  // hours; else those of the last two weeks, as CloudWatch lists them.
  double current = now();
  double since = in.value("RecentlyActive", "") == "PT3H" ? current - 3 * 3600.0 : current - kTwoWeeks;
  auto found = metrics_.list(c.accountId, c.region, in.value("Namespace", ""), in.value("MetricName", ""), filters,
                           since, after, kListPage + 1);
  Json metrics = Json::array();
  for (size_t i = 0; i < found.size() && i < kListPage; ++i) {
    const MetricId& metric = found[i].second;
    metrics.push_back(
        {{"Namespace", metric.nameSpace}, {"MetricName", metric.name}, {"Dimensions", dimensionsJson(metric)}});
  }
  Json out = {{"Metrics", metrics}};
  if (found.size() > kListPage) out["NextToken"] = std::to_string(found[kListPage - 1].first);
  return out;
}

}  // namespace kura
