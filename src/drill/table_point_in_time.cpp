#include "drill/table_point_in_time.h"

#include <random>
#include <thread>

#include "common/time_format.h"
#include "drill/dynamodb_workload.h"
#include "drill/point_in_time.h"
#include "drill/workload_run.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;

std::optional<Json> describeTable(client::AwsClient& client, const std::string& table, std::string& problem) {
  auto answer = client.call("dynamodb", "DescribeTable", {{"TableName", table}});
  if (const auto* error = client::errorOf(answer)) {
    problem = error->describe();
    return std::nullopt;
  }
  return (*client::outputOf(answer))["Table"];
}

WorkloadPtr restoreTable(DrillContext& context, const DynamoDbWorkload& source, const std::string& table,
                         const std::string& temporary, SystemTime pointInTime, std::string& problem) {
  client::AwsClient& client = context.client();
  auto restored = client.call("dynamodb", "RestoreTableToPointInTime",
                              {{"SourceTableName", table},
                               {"TargetTableName", temporary},
                               {"RestoreDateTime", toEpochSeconds(pointInTime)}});
  if (const auto* error = client::errorOf(restored)) {
    problem = "RestoreTableToPointInTime: " + error->describe();
    return nullptr;
  }
  std::string arn = (*client::outputOf(restored))["TableDescription"].value("TableArn", "");
  // Tagged, so that what a drill killed midway left is found and deleted.
  client.call("dynamodb", "TagResource",
              {{"ResourceArn", arn}, {"Tags", Json::array({{{"Key", "kura:drill"}, {"Value", "accidental-delete"}}})}});
  auto limit = std::chrono::seconds(std::max(60, context.options().durationSeconds));
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    auto described = describeTable(client, temporary, problem);
    if (!described) return nullptr;
    if (described->value("TableStatus", "") == "ACTIVE") break;
    if (std::chrono::steady_clock::now() >= deadline) {
      problem = "the restored table " + temporary + " is still " + described->value("TableStatus", "") + ", not ACTIVE";
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return source.readerOf(temporary);
}

}  // namespace

DrillResult runTablePointInTimeDrill(DrillContext& context, const std::string& notFound) {
  client::AwsClient& client = context.client();
  const std::string& table = context.options().resource;
  std::string problem;
  auto described = describeTable(client, table, problem);
  if (!described) {
    if (problem.rfind("ResourceNotFoundException", 0) == 0 || problem.find("not found") != std::string::npos) {
      return notFound + " (nor a DynamoDB table)";
    }
    return "cannot read the table " + table + ": " + problem;
  }
  auto keys = tableKeysOf(*described);
  if (auto* bad = std::get_if<std::string>(&keys)) return *bad;
  auto backups = client.call("dynamodb", "DescribeContinuousBackups", {{"TableName", table}});
  if (const auto* error = client::errorOf(backups)) return "DescribeContinuousBackups: " + error->describe();
  Json recovery = (*client::outputOf(backups))["ContinuousBackupsDescription"].value(
      "PointInTimeRecoveryDescription", Json::object());
  if (recovery.value("PointInTimeRecoveryStatus", "") != "ENABLED") {
    return "point-in-time recovery is off on " + table + ": there is no point in time to restore to";
  }
  std::string prefix = freshWorkloadName();
  std::string temporary = "kura-drill-" + prefix.substr(prefix.size() - 8);
  std::random_device random;
  int64_t numberBase = (static_cast<int64_t>(random() % 900000) + 100000) * 1000000000LL;
  DynamoDbWorkload source(client, table, std::get<TableKeys>(keys), prefix, numberBase);
  PointInTimeRun run;
  run.method = "dynamodb:RestoreTableToPointInTime";
  run.copyKind = "table";
  run.report.resourceType = "table";
  run.report.resource = table;
  run.report.writerInstance = table;
  run.report.engine = "dynamodb";
  auto restorable = [&client, table]() -> std::optional<SystemTime> {
    auto answer = client.call("dynamodb", "DescribeContinuousBackups", {{"TableName", table}});
    const auto* output = client::outputOf(answer);
    if (output == nullptr) return std::nullopt;
    return timestampOf((*output)["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"].value(
        "LatestRestorableDateTime", Json()));
  };
  auto restore = [&](SystemTime pointInTime, std::string& failed) {
    return restoreTable(context, source, table, temporary, pointInTime, failed);
  };
  auto result = runPointInTimeDrill(context, source, run, restorable, restore);
  source.cleanup();
  client.call("dynamodb", "DeleteTable", {{"TableName", temporary}});
  return result;
}

}  // namespace kura::drill
