// cloudwatch-alarms (runbook 4.2: an incident is detected by a CloudWatch
// alarm): for each database, an alarm on every metric the runbook's reviews
// (4.1: connections, performance, storage) watch.
#include <vector>

#include "check/json_fields.h"
#include "check/rule_groups.h"

namespace kura::check {
namespace {

struct WatchedMetric {
  const char* name;
  const char* statistic;
  const char* comparison;
  const char* threshold;
};

struct Watched {
  std::string arn, namespaceName, dimension, value;
  std::vector<WatchedMetric> metrics;
};

bool dimensionMatches(const nlohmann::json& dimensions, const Watched& watched) {
  for (const auto& dimension : dimensions) {
    if (textOf(dimension, "Name") == watched.dimension && textOf(dimension, "Value") == watched.value) return true;
  }
  return false;
}

// An alarm on the metric itself, or a metric-math alarm that reads it.
bool alarmWatches(const nlohmann::json& alarm, const Watched& watched, std::string_view metric) {
  if (textOf(alarm, "Namespace") == watched.namespaceName && textOf(alarm, "MetricName") == metric &&
      dimensionMatches(listOf(alarm, "Dimensions"), watched)) {
    return true;
  }
  for (const auto& query : listOf(alarm, "Metrics")) {
    const nlohmann::json stat = query.value("MetricStat", nlohmann::json::object());
    const nlohmann::json target = stat.value("Metric", nlohmann::json::object());
    if (textOf(target, "Namespace") == watched.namespaceName && textOf(target, "MetricName") == metric &&
        dimensionMatches(listOf(target, "Dimensions"), watched)) {
      return true;
    }
  }
  return false;
}

std::vector<Watched> watchedResources(CheckContext& context) {
  std::vector<Watched> out;
  const auto& instances = context.read("rds", "DescribeDBInstances");
  if (const auto* output = client::outputOf(instances)) {
    for (const auto& instance : listOf(*output, "DBInstances")) {
      Watched watched{textOf(instance, "DBInstanceArn"),
                      "AWS/RDS",
                      "DBInstanceIdentifier",
                      textOf(instance, "DBInstanceIdentifier"),
                      {{"CPUUtilization", "Average", "GreaterThanThreshold", "80"},
                       {"DatabaseConnections", "Maximum", "GreaterThanThreshold", "100"}}};
      // Aurora's storage grows by itself; an instance's can fill.
      if (textOf(instance, "DBClusterIdentifier").empty()) {
        watched.metrics.push_back({"FreeStorageSpace", "Minimum", "LessThanThreshold", "2147483648"});
      }
      out.push_back(std::move(watched));
    }
  }
  const auto& tables = context.read("dynamodb", "ListTables");
  if (const auto* output = client::outputOf(tables)) {
    for (const auto& name : listOf(*output, "TableNames")) {
      if (!name.is_string()) continue;
      const auto& described = context.read("dynamodb", "DescribeTable", {{"TableName", name}});
      std::string arn = "table/" + name.get<std::string>();
      if (const auto* table = client::outputOf(described)) {
        std::string tableArn = textOf(table->value("Table", nlohmann::json::object()), "TableArn");
        if (!tableArn.empty()) arn = tableArn;
      }
      out.push_back({arn,
                     "AWS/DynamoDB",
                     "TableName",
                     name.get<std::string>(),
                     {{"ReadThrottleEvents", "Sum", "GreaterThanThreshold", "0"},
                      {"WriteThrottleEvents", "Sum", "GreaterThanThreshold", "0"}}});
    }
  }
  const auto& clusters = context.read("elasticache", "DescribeCacheClusters");
  if (const auto* output = client::outputOf(clusters)) {
    for (const auto& cluster : listOf(*output, "CacheClusters")) {
      bool memcached = textOf(cluster, "Engine") == "memcached";
      Watched watched{textOf(cluster, "ARN"),
                      "AWS/ElastiCache",
                      "CacheClusterId",
                      textOf(cluster, "CacheClusterId"),
                      {{"CurrConnections", "Maximum", "GreaterThanThreshold", "1000"}}};
      if (memcached) {
        watched.metrics.push_back({"CPUUtilization", "Average", "GreaterThanThreshold", "80"});
      } else {
        watched.metrics.push_back({"EngineCPUUtilization", "Average", "GreaterThanThreshold", "80"});
        watched.metrics.push_back({"DatabaseMemoryUsagePercentage", "Average", "GreaterThanThreshold", "80"});
      }
      out.push_back(std::move(watched));
    }
  }
  for (Watched& watched : out) {
    if (watched.arn.empty()) watched.arn = watched.value;
  }
  return out;
}

}  // namespace

void checkAlarms(CheckContext& context) {
  std::vector<Watched> resources = watchedResources(context);
  if (resources.empty()) return;
  const auto& answer = context.read("monitoring", "DescribeAlarms");
  if (const auto* error = client::errorOf(answer)) {
    for (const Watched& watched : resources)
      context.unreadable("cloudwatch-alarms", watched.arn, "DescribeAlarms", *error);
    return;
  }
  const auto& alarms = listOf(*client::outputOf(answer), "MetricAlarms");
  for (const Watched& watched : resources) {
    std::string missing, fix;
    for (const WatchedMetric& metric : watched.metrics) {
      bool covered = false;
      for (const auto& alarm : alarms) covered = covered || alarmWatches(alarm, watched, metric.name);
      if (covered) continue;
      missing += (missing.empty() ? "" : ", ") + std::string(metric.name);
      fix += (fix.empty() ? "" : " && ") + context.aws("cloudwatch") + " put-metric-alarm --alarm-name " +
             watched.value + "-" + metric.name + " --namespace " + watched.namespaceName + " --metric-name " +
             metric.name + " --dimensions Name=" + watched.dimension + ",Value=" + watched.value + " --statistic " +
             metric.statistic + " --period 300 --evaluation-periods 3 --threshold " + metric.threshold +
             " --comparison-operator " + metric.comparison;
    }
    if (missing.empty()) {
      context.passed("cloudwatch-alarms", watched.arn, "alarms on every watched metric");
    } else {
      context.failed("cloudwatch-alarms", watched.arn, "no alarm on " + missing, fix);
    }
  }
}

}  // namespace kura::check
