#include "drill/drill_records.h"

#include <algorithm>

#include "common/time_format.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;

int64_t epochMillis(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace

std::string drillLogStream(const std::string& drill, const std::string& resourceType, const std::string& resource) {
  return drill + "/" + resourceType + "/" + resource;
}

std::string drillLogMessage(const DrillReport& report) {
  Json summary = {{"drill", report.drill},
                  {"resourceType", report.resourceType},
                  {"resource", report.resource},
                  {"engine", report.engine},
                  {"startedAt", report.startedAt},
                  {"verdict", report.passed ? "passed" : "failed"},
                  {"reason", report.verdictReason},
                  {"fault", report.fault},
                  {"faultMethod", report.faultMethod},
                  {"rtoSeconds", report.recovery.rtoSeconds ? Json(*report.recovery.rtoSeconds) : Json()},
                  {"lostWrites", report.loss.lost},
                  {"rpoSeconds", report.loss.rpoSeconds},
                  {"attempted", report.loss.attempted},
                  {"acked", report.loss.acked}};
  return summary.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<std::string> recordDrillEvent(DrillContext& context, const DrillReport& report,
                                            const std::string& message) {
  if (report.resourceType == "table") {
    return "DynamoDB keeps no events of a table: the trail and the log record the drill";
  }
  Json input = {{"ResourceType", report.resourceType},
                {"ResourceIdentifier", report.resource},
                {"DrillName", context.options().drillName},
                {"Message", message}};
  auto answer = context.client().call("kura", "RecordDrillEvent", input);
  if (const auto* error = client::errorOf(answer)) {
    return "the drill's end was not recorded as an event of the resource (kura:RecordDrillEvent: " + error->describe() +
           ")";
  }
  return std::nullopt;
}

std::optional<std::string> writeDrillLog(DrillContext& context, const DrillReport& report) {
  client::AwsClient& client = context.client();
  const std::string& group = context.options().logGroup;
  std::string stream = drillLogStream(report.drill, report.resourceType, report.resource);
  auto failed = [](const client::CallResult& answer) {
    const auto* error = client::errorOf(answer);
    return error != nullptr && error->code != "ResourceAlreadyExistsException";
  };
  auto group_ = client.call("logs", "CreateLogGroup", {{"logGroupName", group}});
  if (failed(group_))
    return "the drill's log was not written (CreateLogGroup: " + client::errorOf(group_)->describe() + ")";
  auto stream_ = client.call("logs", "CreateLogStream", {{"logGroupName", group}, {"logStreamName", stream}});
  if (failed(stream_)) {
    return "the drill's log was not written (CreateLogStream: " + client::errorOf(stream_)->describe() + ")";
  }
  Json input = {
      {"logGroupName", group},
      {"logStreamName", stream},
      {"logEvents",
       {{{"timestamp", epochMillis(std::chrono::system_clock::now())}, {"message", drillLogMessage(report)}}}}};
  auto put = client.call("logs", "PutLogEvents", input);
  if (const auto* error = client::errorOf(put))
    return "the drill's log was not written (PutLogEvents: " + error->describe() + ")";
  return std::nullopt;
}

std::vector<SeenEvent> eventsSinceStart(DrillContext& context, const DrillReport& report, std::string& note) {
  std::vector<SeenEvent> events;
  // A second of slack before the start: the endpoint's clock and ours.
  std::string since = formatIso8601Seconds(context.startedAt() - std::chrono::seconds(1));
  std::vector<std::pair<std::string, std::string>> sources = {{"db-instance", report.writerInstance}};
  if (report.resourceType == "db-cluster") sources.emplace_back("db-cluster", report.resource);
  std::string service = "rds";
  if (report.resourceType == "replication-group") {
    service = "elasticache";
    sources = {{"replication-group", report.resource}};
  }
  if (report.resourceType == "table") return events;  // DynamoDB has no events of a table
  for (const auto& [type, id] : sources) {
    auto answer = context.client().callAll(service, "DescribeEvents",
                                           {{"SourceType", type}, {"SourceIdentifier", id}, {"StartTime", since}});
    if (const auto* error = client::errorOf(answer)) {
      note = "the resource's events could not be read (DescribeEvents: " + error->describe() + ")";
      continue;
    }
    for (const auto& event : client::outputOf(answer)->value("Events", Json::array())) {
      events.push_back({event.value("Date", ""), type + " " + id, event.value("Message", "")});
    }
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const SeenEvent& a, const SeenEvent& b) { return a.date < b.date; });
  return events;
}

}  // namespace kura::drill
