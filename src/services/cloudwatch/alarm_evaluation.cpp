#include "services/cloudwatch/alarm_evaluation.h"

#include <fmt/format.h>

#include <map>

#include "common/time_format.h"
#include "services/cloudwatch/metric_input.h"

namespace kura {
namespace {

bool breaches(const std::string& comparison, double value, double threshold) {
  if (comparison == "GreaterThanOrEqualToThreshold") return value >= threshold;
  if (comparison == "GreaterThanThreshold") return value > threshold;
  if (comparison == "LessThanThreshold") return value < threshold;
  return value <= threshold;  // LessThanOrEqualToThreshold
}

std::string isoTime(double seconds) {
  return formatIso8601(SystemTime(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000))));
}

}  // namespace

std::string comparisonText(const std::string& comparisonOperator) {
  static const std::map<std::string, std::string> kTexts = {
      {"GreaterThanOrEqualToThreshold", "greater than or equal to"},
      {"GreaterThanThreshold", "greater than"},
      {"LessThanThreshold", "less than"},
      {"LessThanOrEqualToThreshold", "less than or equal to"}};
  auto found = kTexts.find(comparisonOperator);
  return found == kTexts.end() ? "" : found->second;
}

AlarmVerdict evaluateAlarm(const Json& alarm, MetricStore& metrics, const std::string& account,
                           const std::string& region, double now) {
  const double period = alarm.value("Period", 60);
  const int periods = alarm.value("EvaluationPeriods", 1);
  const int toAlarm = alarm.value("DatapointsToAlarm", periods);
  const double threshold = alarm.value("Threshold", 0.0);
  const std::string comparison = alarm.value("ComparisonOperator", "GreaterThanThreshold");
  const std::string statistic = alarm.value("Statistic", "Average");
  const std::string missing = alarm.value("TreatMissingData", "missing");
  auto metricOf = metricIdOf(alarm);  // PutMetricAlarm checked it
  const MetricId metric = metricOf ? *metricOf : MetricId{};
  const double filling = periodStart(now, period);
  std::map<double, MetricBucket> found;
  for (MetricBucket& bucket : metrics.statistics(account, region, metric, filling - periods * period,
                                                 filling + period, period, alarm.value("Unit", ""))) {
    found[bucket.start] = std::move(bucket);
  }
  // The period still filling counts once it has data. Until then it is not
  // missing data, only data not come yet (a publisher that sends twice a
  // period has sent nothing early in one): the last complete periods are
  // evaluated instead. Counted as missing, it kept an alarm on two periods
  // of a steady load out of ALARM for as long as its passes fell early in
  // their periods (a target-tracking policy that never scaled).
  const double newest = found.contains(filling) ? filling : filling - period;
  const double oldest = newest - (periods - 1) * period;
  int breaching = 0, known = 0;
  Json recent = Json::array(), evaluated = Json::array();
  std::string listed;
  for (int k = periods - 1; k >= 0; --k) {
    double start = newest - k * period;
    auto bucket = found.find(start);
    if (bucket == found.end()) {
      if (missing == "breaching") ++breaching, ++known;
      if (missing == "notBreaching") ++known;
      continue;
    }
    double value = *statisticOf(bucket->second, statistic);
    ++known;
    if (breaches(comparison, value, threshold)) ++breaching;
    recent.push_back(value);
    evaluated.push_back({{"timestamp", isoTime(start)}, {"sampleCount", bucket->second.count}, {"value", value}});
    listed += fmt::format("{}{} ({})", listed.empty() ? "" : ", ", value, isoTime(start));
  }
  AlarmVerdict verdict;
  verdict.reasonData = {{"version", "1.0"},          {"queryDate", isoTime(now)},
                        {"startDate", isoTime(oldest)}, {"statistic", statistic},
                        {"period", period},             {"recentDatapoints", recent},
                        {"threshold", threshold},       {"evaluatedDatapoints", evaluated}};
  std::string text = comparisonText(comparison);
  if (breaching >= toAlarm) {
    verdict.state = "ALARM";
    verdict.reason = fmt::format(
        "Threshold Crossed: {} out of the last {} datapoints [{}] {} {} the threshold ({}) (minimum {} datapoint{} "
        "for OK -> ALARM transition).",
        breaching, periods, listed, breaching == 1 ? "was" : "were", text, threshold, toAlarm, toAlarm == 1 ? "" : "s");
  } else if (known == 0) {
    // ignore: the state stays as it is (the caller keeps it).
    verdict.state = missing == "ignore" ? alarm.value("StateValue", "INSUFFICIENT_DATA") : "INSUFFICIENT_DATA";
    verdict.reason = fmt::format("Insufficient Data: {} datapoint{} unknown.", periods,
                                 periods == 1 ? " was" : "s were");
    if (missing == "ignore") verdict.reason = alarm.value("StateReason", verdict.reason);
  } else {
    verdict.state = "OK";
    verdict.reason = fmt::format(
        "Threshold Crossed: {} out of the last {} datapoints [{}] {} not {} the threshold ({}) (minimum {} "
        "datapoint{} for ALARM -> OK transition).",
        periods - breaching, periods, listed, periods - breaching == 1 ? "was" : "were", text, threshold,
        periods - toAlarm + 1, periods - toAlarm + 1 == 1 ? "" : "s");
  }
  return verdict;
}

}  // namespace kura
