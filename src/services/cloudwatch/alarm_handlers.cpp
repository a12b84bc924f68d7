// CloudWatch's metric alarms: PutMetricAlarm, DescribeAlarms(ForMetric),
// DeleteAlarms, SetAlarmState, DescribeAlarmHistory, Enable/DisableAlarm-
// Actions, and the evaluation pass. Alarm actions are recorded in the
// history as CloudWatch records a failed action: Kura has no SNS, Auto
// Scaling or EC2 to deliver them to.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/time_format.h"
#include "protocol/json_nesting.h"
#include "services/cloudwatch/alarm_evaluation.h"
#include "services/cloudwatch/metric_input.h"
#include "services/cloudwatch/cloudwatch_api.h"

namespace kura {
namespace {

constexpr size_t kMaxActions = 5;
constexpr size_t kMaxNames = 100;

ApiError combination(const std::string& message) { return ApiError::sender("InvalidParameterCombination", message); }
ApiError missing(const std::string& name) {
  return ApiError::sender("MissingParameter", "The parameter " + name + " is required.");
}

const char* actionsOf(const std::string& state) {
  if (state == "ALARM") return "AlarmActions";
  if (state == "OK") return "OKActions";
  return "InsufficientDataActions";
}

std::string alarmArn(const RequestContext& c, const std::string& name) {
  return "arn:aws:cloudwatch:" + c.region + ":" + c.accountId + ":alarm:" + name;
}

// The alarm's configuration from PutMetricAlarm's input, checked.
Result<Json> alarmConfiguration(const Json& in) {
  if (in.contains("Metrics")) return invalidParameter("Kura does not evaluate alarms on metric math (Metrics) yet.");
  if (in.contains("ThresholdMetricId") || comparisonText(in["ComparisonOperator"]).empty()) {
    return invalidParameter("Kura does not evaluate anomaly detection bands (ThresholdMetricId) yet.");
  }
  if (in.contains("ExtendedStatistic")) {
    return invalidParameter("Kura does not compute percentile statistics (ExtendedStatistic) yet.");
  }
  for (const char* name : {"Namespace", "MetricName", "Period", "Threshold"}) {
    if (!in.contains(name)) return missing(name);
  }
  if (!in.contains("Statistic")) return combination("Exactly one of Statistic and ExtendedStatistic must be specified.");
  auto metric = metricIdOf(in);
  if (!metric) return metric.error();
  auto period = periodOf(in["Period"]);
  if (!period) return period.error();
  if (*period < 10) {
    return invalidParameter("The parameter Period of an alarm must be 10, 30 or a multiple of 60.");
  }
  int64_t periods = in["EvaluationPeriods"];
  int64_t toAlarm = in.value("DatapointsToAlarm", periods);
  if (periods < 1 || toAlarm < 1 || toAlarm > periods) {
    return invalidParameter("DatapointsToAlarm must be between 1 and EvaluationPeriods (" + std::to_string(periods) +
                            ").");
  }
  double span = *period * static_cast<double>(periods);
  if (span > (*period >= 3600 ? 7 * 86400.0 : 86400.0)) {
    return invalidParameter("The product of Period and EvaluationPeriods must not exceed one day (seven days for "
                            "periods of an hour or more).");
  }
  std::string treat = in.value("TreatMissingData", "missing");
  if (treat != "missing" && treat != "ignore" && treat != "breaching" && treat != "notBreaching") {
    return invalidParameter("The value " + treat +
                            " for parameter TreatMissingData is invalid: breaching, notBreaching, ignore or missing.");
  }
  Json alarm = {{"AlarmName", in["AlarmName"]},
                {"ActionsEnabled", in.value("ActionsEnabled", true)},
                {"Namespace", metric->nameSpace},
                {"MetricName", metric->name},
                {"Dimensions", in.value("Dimensions", Json::array())},
                {"Statistic", in["Statistic"]},
                {"Period", in["Period"]},
                {"EvaluationPeriods", periods},
                {"DatapointsToAlarm", toAlarm},
                {"Threshold", in["Threshold"]},
                {"ComparisonOperator", in["ComparisonOperator"]},
                {"TreatMissingData", treat}};
  for (const char* name : {"AlarmDescription", "Unit"}) {
    if (in.contains(name)) alarm[name] = in[name];
  }
  for (const char* list : {"OKActions", "AlarmActions", "InsufficientDataActions"}) {
    Json actions = in.value(list, Json::array());
    if (actions.size() > kMaxActions) {
      return invalidParameter(std::string("The collection ") + list + " must not have a size greater than 5.");
    }
    for (const Json& action : actions) {
      if (action.get<std::string>().rfind("arn:", 0) != 0) {
        return invalidParameter("Invalid arn syntax: " + action.get<std::string>());
      }
    }
    alarm[list] = actions;
  }
  return alarm;
}

bool hasDimensions(const Json& alarm, const Json& dimensions) {
  auto key = [](const Json& list) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const Json& d : list) pairs.emplace_back(d.value("Name", ""), d.value("Value", ""));
    return dimensionsKey(pairs);
  };
  return key(alarm.value("Dimensions", Json::array())) == key(dimensions);
}

}  // namespace

Result<Json> CloudWatchApi::putMetricAlarm(const RequestContext& c, const Json& in) {
  auto configured = alarmConfiguration(in);
  if (!configured) return configured.error();
  Json alarm = *configured;
  AlarmRef ref{c.accountId, c.region, in["AlarmName"]};
  double at = now();
  alarm["AlarmArn"] = alarmArn(c, ref.name);
  alarm["AlarmConfigurationUpdatedTimestamp"] = at;
  auto existing = alarms_.get(ref);
  carryAlarmState(alarm, existing, at, in.value("Tags", Json::array()));
  alarms_.put(ref, alarm);
  alarms_.addHistory(ref, {0, ref.name, at, "ConfigurationUpdate",
                           "Alarm \"" + ref.name + "\" " + (existing ? "updated" : "created"),
                           Json{{"version", "1.0"}, {"type", existing ? "Update" : "Create"}}.dump()});
  return Json::object();
}

Result<Json> CloudWatchApi::describeAlarms(const RequestContext& c, const Json& in) {
  Json names = in.value("AlarmNames", Json::array());
  std::string prefix = in.value("AlarmNamePrefix", "");
  if (!names.empty() && !prefix.empty()) {
    return combination("AlarmNames and AlarmNamePrefix cannot be specified together.");
  }
  if (names.size() > kMaxNames) return invalidParameter("The collection AlarmNames must not have a size greater than 100.");
  int64_t maxRecords = in.value("MaxRecords", int64_t{50});
  if (maxRecords < 1 || maxRecords > 100) return invalidParameter("MaxRecords must be between 1 and 100.");
  Json types = in.value("AlarmTypes", Json::array());
  bool metricAlarms = types.empty() || std::find(types.begin(), types.end(), "MetricAlarm") != types.end();
  // Composite alarms are not kept: their children and parents are none.
  bool composites = in.contains("ChildrenOfAlarmName") || in.contains("ParentsOfAlarmName");
  std::string state = in.value("StateValue", ""), actionPrefix = in.value("ActionPrefix", "");
  Json found = Json::array();
  std::string next;
  if (metricAlarms && !composites) {
    for (const Json& alarm : alarms_.list(c.accountId, c.region, in.value("NextToken", ""))) {
      std::string name = alarm["AlarmName"];
      if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
      if (!prefix.empty() && name.rfind(prefix, 0) != 0) continue;
      if (!state.empty() && alarm.value("StateValue", "") != state) continue;
      if (!actionPrefix.empty()) {
        bool matches = false;
        for (const char* list : {"OKActions", "AlarmActions", "InsufficientDataActions"}) {
          for (const Json& action : alarm.value(list, Json::array())) {
            matches = matches || action.get<std::string>().rfind(actionPrefix, 0) == 0;
          }
        }
        if (!matches) continue;
      }
      if (static_cast<int64_t>(found.size()) == maxRecords) {
        next = found.back()["AlarmName"];
        break;
      }
      found.push_back(alarm);
    }
  }
  Json out = {{"MetricAlarms", found}, {"CompositeAlarms", Json::array()}};
  if (!next.empty()) out["NextToken"] = next;
  return out;
}

Result<Json> CloudWatchApi::describeAlarmsForMetric(const RequestContext& c, const Json& in) {
  Json found = Json::array();
  for (const Json& alarm : alarms_.list(c.accountId, c.region, "")) {
    if (alarm.value("Namespace", "") != in["Namespace"] || alarm.value("MetricName", "") != in["MetricName"]) continue;
    if (in.contains("Dimensions") && !hasDimensions(alarm, in["Dimensions"])) continue;
    bool differs = false;
    for (const char* name : {"Statistic", "Period", "Unit"}) {
      differs = differs || (in.contains(name) && alarm.value(name, Json()) != in[name]);
    }
    if (!differs) found.push_back(alarm);
  }
  return Json{{"MetricAlarms", found}};
}

Result<Json> CloudWatchApi::deleteAlarms(const RequestContext& c, const Json& in) {
  std::vector<std::string> names = in["AlarmNames"].get<std::vector<std::string>>();
  if (names.size() > kMaxNames) return invalidParameter("The collection AlarmNames must not have a size greater than 100.");
  if (auto absent = alarms_.remove(c.accountId, c.region, names)) {
    return ApiError::sender("ResourceNotFound", "1 of the alarms specified was not found: " + *absent +
                                                    ". No alarm was deleted.");
  }
  for (const std::string& name : names) {
    alarms_.addHistory({c.accountId, c.region, name},
                       {0, name, now(), "ConfigurationUpdate", "Alarm \"" + name + "\" deleted",
                        Json{{"version", "1.0"}, {"type", "Delete"}}.dump()});
  }
  return Json::object();
}

Result<Json> CloudWatchApi::setAlarmState(const RequestContext& c, const Json& in) {
  AlarmRef ref{c.accountId, c.region, in["AlarmName"]};
  Json reasonData = Json::object();
  if (in.contains("StateReasonData")) {
    // The client's text: held to the JSON nesting limit before it is parsed.
    const std::string& text = in["StateReasonData"].get_ref<const std::string&>();
    if (jsonNestsWithin(text)) reasonData = Json::parse(text, nullptr, false);
    if (!jsonNestsWithin(text) || reasonData.is_discarded()) {
      return ApiError::sender("InvalidFormat", "The parameter StateReasonData is not valid JSON.");
    }
  }
  // The alarm may change between the read and the write: read it again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto alarm = alarms_.get(ref);
    if (!alarm) return ApiError::sender("ResourceNotFound", "Alarm " + ref.name + " not found.");
    if (changeState(ref, *alarm, in["StateValue"], in["StateReason"], reasonData)) return Json::object();
  }
  return ApiError::internal("the alarm kept changing; try again");
}

bool CloudWatchApi::changeState(const AlarmRef& ref, const Json& alarm, const std::string& state,
                                const std::string& reason, const Json& reasonData) {
  double at = now();
  std::string old = alarm.value("StateValue", "INSUFFICIENT_DATA");
  Json changed = alarm;
  changed["StateValue"] = state;
  changed["StateReason"] = reason;
  changed["StateReasonData"] = reasonData.dump();
  changed["StateUpdatedTimestamp"] = at;
  if (old != state) changed["StateTransitionedTimestamp"] = at;
  if (!alarms_.replace(ref, alarm, changed)) return false;
  Json history = {{"version", "1.0"},
                  {"oldState", {{"stateValue", old}, {"stateReason", alarm.value("StateReason", "")}}},
                  {"newState", {{"stateValue", state}, {"stateReason", reason}, {"stateReasonData", reasonData}}}};
  alarms_.addHistory(ref, {0, ref.name, at, "StateUpdate", "Alarm updated from " + old + " to " + state, history.dump()});
  spdlog::warn("msg=\"CloudWatch alarm changed state\" account={} region={} alarm=\"{}\" from={} to={} reason=\"{}\"",
               ref.account, ref.region, ref.name, old, state, reason);
  if (!alarm.value("ActionsEnabled", true)) return true;
  for (const Json& action : alarm.value(actionsOf(state), Json::array())) {
    std::string arn = action;
    // A target-tracking policy's own alarm (its name and description as
    // Application Auto Scaling writes them, tracking_alarms.h): the policy's
    // scaler reads this state and acts on it (target_tracking_scaler.h).
    if (ref.name.starts_with("TargetTracking-") && arn.starts_with("arn:aws:autoscaling:") &&
        alarm.value("AlarmDescription", "") == "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + arn + ".") {
      alarms_.addHistory(ref, {0, ref.name, at, "Action", "Successfully executed action " + arn,
                               Json{{"actionState", "Succeeded"}, {"notificationResource", arn}}.dump()});
      continue;
    }
    alarms_.addHistory(ref, {0, ref.name, at, "Action", "Failed to execute action " + arn,
                             Json{{"actionState", "Failed"},
                                  {"error", "Kura does not deliver alarm actions to SNS, EC2 or EC2 Auto Scaling "
                                            "(it has none). The state change is in the history and in Kura's log."}}
                                 .dump()});
  }
  return true;
}

Result<Json> CloudWatchApi::describeAlarmHistory(const RequestContext& c, const Json& in) {
  int64_t maxRecords = in.value("MaxRecords", int64_t{100});
  if (maxRecords < 1 || maxRecords > 100) return invalidParameter("MaxRecords must be between 1 and 100.");
  Json types = in.value("AlarmTypes", Json::array());
  if (!types.empty() && std::find(types.begin(), types.end(), "MetricAlarm") == types.end()) {
    return Json{{"AlarmHistoryItems", Json::array()}};
  }
  double start = 0, end = 4e9;
  for (auto [member, bound] : {std::pair{"StartDate", &start}, {"EndDate", &end}}) {
    if (!in.contains(member)) continue;
    auto when = timeOf(in, member);
    if (!when) return when.error();
    *bound = *when;
  }
  int64_t after = 0;
  if (in.contains("NextToken")) {
    try {
      after = std::stoll(in["NextToken"].get<std::string>());
    } catch (const std::exception&) {
      return ApiError::sender("InvalidNextToken", "The NextToken is not one DescribeAlarmHistory gave.");
    }
  }
  bool oldestFirst = in.value("ScanBy", "TimestampDescending") == "TimestampAscending";
  auto items = alarms_.history(c.accountId, c.region, in.value("AlarmName", ""), in.value("HistoryItemType", ""), start,
                               end, oldestFirst, after, static_cast<size_t>(maxRecords) + 1);
  Json out = {{"AlarmHistoryItems", Json::array()}};
  for (size_t i = 0; i < items.size() && static_cast<int64_t>(i) < maxRecords; ++i) {
    out["AlarmHistoryItems"].push_back({{"AlarmName", items[i].alarmName},
                                        {"AlarmType", "MetricAlarm"},
                                        {"Timestamp", items[i].timestamp},
                                        {"HistoryItemType", items[i].type},
                                        {"HistorySummary", items[i].summary},
                                        {"HistoryData", items[i].data}});
  }
  if (static_cast<int64_t>(items.size()) > maxRecords) out["NextToken"] = std::to_string(items[maxRecords - 1].id);
  return out;
}

Result<Json> CloudWatchApi::setAlarmActions(const RequestContext& c, const Json& in, bool enabled) {
  // As in CloudWatch, names of alarms that do not exist are passed over.
  for (const Json& name : in["AlarmNames"]) {
    AlarmRef ref{c.accountId, c.region, name};
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto alarm = alarms_.get(ref);
      if (!alarm) break;
      Json changed = *alarm;
      changed["ActionsEnabled"] = enabled;
      if (alarms_.replace(ref, *alarm, changed)) break;
    }
  }
  return Json::object();
}

void CloudWatchApi::evaluateAlarms() {
  double at = now();
  for (auto& [ref, alarm] : alarms_.all()) {
    AlarmVerdict verdict = evaluateAlarm(alarm, metrics_, ref.account, ref.region, at);
    if (verdict.state == alarm.value("StateValue", "")) continue;
    changeState(ref, alarm, verdict.state, verdict.reason, verdict.reasonData);  // a call changed it meanwhile: next pass
  }
}

}  // namespace kura
