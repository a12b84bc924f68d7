#include "services/logs/logs_service.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "services/logs/filter_pattern.h"

namespace kura {
namespace {

constexpr int64_t kMaxBatchBytes = 1048576;
constexpr int64_t kEventOverheadBytes = 26;
constexpr int64_t kFourteenDaysMillis = 14LL * 86400 * 1000;
constexpr int64_t kTwoHoursMillis = 2LL * 3600 * 1000;

int64_t nowMillis(const ServiceEnv& env) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(env.clock->now().time_since_epoch()).count();
}

ApiError invalid(const std::string& message) { return ApiError::sender("InvalidParameterException", message); }

std::string groupArn(const RequestContext& c, const std::string& group) {
  return "arn:aws:logs:" + c.region + ":" + c.accountId + ":log-group:" + group + ":*";
}

// "PREFIX<timestamp>/<id>" cursors; empty on anything else.
std::optional<std::pair<int64_t, int64_t>> parseCursor(std::string_view token, std::string_view prefix) {
  if (token.substr(0, prefix.size()) != prefix) return std::nullopt;
  token.remove_prefix(prefix.size());
  size_t slash = token.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  int64_t timestamp = 0, id = 0;
  auto a = std::from_chars(token.data(), token.data() + slash, timestamp);
  auto b = std::from_chars(token.data() + slash + 1, token.data() + token.size(), id);
  if (a.ec != std::errc() || b.ec != std::errc() || b.ptr != token.data() + token.size()) return std::nullopt;
  return std::pair{timestamp, id};
}

std::string cursor(std::string_view prefix, const LogEvent& event) {
  return std::string(prefix) + std::to_string(event.timestamp) + "/" + std::to_string(event.id);
}

class LogsService final : public ServiceModule {
 private:
  // The ARN of a key that can seal a group's events, or the error AWS gives.
  Result<std::string> usableKey(const RequestContext& c, const std::string& keyRef) {
    if (env_.keys == nullptr) return ApiError::sender("InvalidParameterException", "KMS is not available.");
    auto key = env_.keys->usableKey({c.accountId, c.region}, keyRef);
    if (!key) {
      return ApiError::sender("InvalidParameterException",
                              "The specified KMS key " + keyRef + " cannot be used: " + key.error().message);
    }
    return key->arn();
  }

 public:
  LogsService(const ServiceEnv& env, LogStore& store) : env_(env), store_(store) {
    handlers_.add("CreateLogGroup", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      std::string keyArn;
      if (in.contains("kmsKeyId")) {
        auto key = usableKey(c, in["kmsKeyId"]);
        if (!key) return key.error();
        keyArn = *key;
      }
      auto created = store_.createGroup(c.accountId, c.region, in["logGroupName"], keyArn, nowMillis(env_));
      if (!created) return created.error();
      return Json::object();
    });
    handlers_.add("AssociateKmsKey", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = usableKey(c, in["kmsKeyId"]);
      if (!key) return key.error();
      auto associated = store_.setKmsKey(c.accountId, c.region, in["logGroupName"], *key);
      if (!associated) return associated.error();
      return Json::object();
    });
    handlers_.add("DisassociateKmsKey", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto disassociated = store_.setKmsKey(c.accountId, c.region, in["logGroupName"], "");
      if (!disassociated) return disassociated.error();
      return Json::object();
    });
    handlers_.add("DeleteLogGroup", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto deleted = store_.deleteGroup(c.accountId, c.region, in["logGroupName"]);
      if (!deleted) return deleted.error();
      return Json::object();
    });
    handlers_.add("DescribeLogGroups", [this](const RequestContext& c, const Json& in) { return describeGroups(c, in); });
    handlers_.add("PutRetentionPolicy", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      static constexpr std::array<int64_t, 22> kAllowed = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                                           365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};
      int64_t days = in["retentionInDays"];
      if (std::find(kAllowed.begin(), kAllowed.end(), days) == kAllowed.end()) {
        return invalid("1 validation error detected: Value '" + std::to_string(days) +
                       "' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set");
      }
      auto set = store_.setRetention(c.accountId, c.region, in["logGroupName"], days);
      if (!set) return set.error();
      return Json::object();
    });
    handlers_.add("DeleteRetentionPolicy", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto set = store_.setRetention(c.accountId, c.region, in["logGroupName"], std::nullopt);
      if (!set) return set.error();
      return Json::object();
    });
    handlers_.add("CreateLogStream", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto created = store_.createStream(c.accountId, c.region, in["logGroupName"], in["logStreamName"], nowMillis(env_));
      if (!created) return created.error();
      return Json::object();
    });
    handlers_.add("DeleteLogStream", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto deleted = store_.deleteStream(c.accountId, c.region, in["logGroupName"], in["logStreamName"]);
      if (!deleted) return deleted.error();
      return Json::object();
    });
    handlers_.add("DescribeLogStreams", [this](const RequestContext& c, const Json& in) { return describeStreams(c, in); });
    handlers_.add("PutLogEvents", [this](const RequestContext& c, const Json& in) { return putEvents(c, in); });
    handlers_.add("GetLogEvents", [this](const RequestContext& c, const Json& in) { return getEvents(c, in); });
    handlers_.add("FilterLogEvents", [this](const RequestContext& c, const Json& in) { return filterEvents(c, in); });
  }
  std::string signingName() const override { return "logs"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  Result<Json> describeGroups(const RequestContext& c, const Json& in) {
    size_t limit = in.value("limit", 50);
    auto groups = store_.listGroups(c.accountId, c.region, in.value("logGroupNamePrefix", ""),
                                    in.value("nextToken", ""), limit + 1);
    Json out = {{"logGroups", Json::array()}};
    for (size_t i = 0; i < std::min(limit, groups.size()); ++i) {
      const LogGroupInfo& g = groups[i];
      Json group = {{"logGroupName", g.name}, {"creationTime", g.creationTime}, {"metricFilterCount", 0},
                    {"arn", groupArn(c, g.name)}, {"storedBytes", g.storedBytes}};
      if (g.retentionInDays) group["retentionInDays"] = *g.retentionInDays;
      if (!g.kmsKeyId.empty()) group["kmsKeyId"] = g.kmsKeyId;
      out["logGroups"].push_back(group);
    }
    if (groups.size() > limit) out["nextToken"] = groups[limit - 1].name;
    return out;
  }

  Result<Json> describeStreams(const RequestContext& c, const Json& in) {
    size_t limit = in.value("limit", 50);
    bool byLastEvent = in.value("orderBy", "LogStreamName") == "LastEventTime";
    if (byLastEvent && in.contains("logStreamNamePrefix")) {
      return invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    auto streams = store_.listStreams(c.accountId, c.region, in["logGroupName"], in.value("logStreamNamePrefix", ""),
                                      byLastEvent, in.value("descending", false), in.value("nextToken", ""), limit + 1);
    if (!streams) return streams.error();
    Json out = {{"logStreams", Json::array()}};
    std::string group = in["logGroupName"];
    for (size_t i = 0; i < std::min(limit, streams->size()); ++i) {
      const LogStreamInfo& s = (*streams)[i];
      Json stream = {{"logStreamName", s.name}, {"creationTime", s.creationTime}, {"storedBytes", s.storedBytes},
                     {"arn", "arn:aws:logs:" + c.region + ":" + c.accountId + ":log-group:" + group +
                                 ":log-stream:" + s.name}};
      if (s.firstEventTimestamp) stream["firstEventTimestamp"] = *s.firstEventTimestamp;
      if (s.lastEventTimestamp) stream["lastEventTimestamp"] = *s.lastEventTimestamp;
      if (s.lastIngestionTime) stream["lastIngestionTime"] = *s.lastIngestionTime;
      out["logStreams"].push_back(stream);
    }
    if (streams->size() > limit) out["nextToken"] = (*streams)[limit - 1].name;
    return out;
  }

  Result<Json> putEvents(const RequestContext& c, const Json& in) {
    const Json& given = in["logEvents"];
    if (given.empty()) return invalid("The batch of log events is empty.");
    int64_t now = nowMillis(env_);
    auto group = store_.group(c.accountId, c.region, in["logGroupName"]);
    if (!group) return group.error();
    int64_t oldest = now - kFourteenDaysMillis;
    if (group->retentionInDays) oldest = std::max(oldest, now - *group->retentionInDays * 86400 * 1000);
    std::vector<LogEvent> events;
    Json rejected = Json::object();
    int64_t bytes = 0, previous = INT64_MIN;
    for (size_t i = 0; i < given.size(); ++i) {
      int64_t timestamp = given[i]["timestamp"];
      std::string message = given[i]["message"];
      bytes += static_cast<int64_t>(message.size()) + kEventOverheadBytes;
      if (timestamp < previous) return invalid("Log events in a single PutLogEvents request must be in chronological order.");
      previous = timestamp;
      if (timestamp < oldest) {
        rejected["tooOldLogEventEndIndex"] = static_cast<int64_t>(i) + 1;
        continue;
      }
      if (timestamp > now + kTwoHoursMillis) {
        if (!rejected.contains("tooNewLogEventStartIndex")) rejected["tooNewLogEventStartIndex"] = static_cast<int64_t>(i);
        continue;
      }
      events.push_back({0, "", timestamp, now, std::move(message)});
    }
    if (bytes > kMaxBatchBytes) return invalid("Upload too large: the batch exceeds 1,048,576 bytes.");
    auto stored = store_.append(c.accountId, c.region, in["logGroupName"], in["logStreamName"], events, now);
    if (!stored) return stored.error();
    Json out = {{"nextSequenceToken", std::to_string(now)}};
    if (!rejected.empty()) out["rejectedLogEventsInfo"] = rejected;
    return out;
  }

  Result<Json> getEvents(const RequestContext& c, const Json& in) {
    LogEventQuery query;
    query.streams = {in["logStreamName"].get<std::string>()};
    query.limit = in.value("limit", 10000);
    if (in.contains("startTime")) query.startTime = in["startTime"].get<int64_t>();
    if (in.contains("endTime")) query.endTime = in["endTime"].get<int64_t>();
    bool forward = in.value("startFromHead", false);
    std::string token = in.value("nextToken", "");
    if (!token.empty()) {
      if (auto after = parseCursor(token, "f/")) {
        query.after = after;
        forward = true;
      } else if (auto before = parseCursor(token, "b/")) {
        query.before = before;
        forward = false;
      } else {
        return invalid("The specified nextToken is invalid.");
      }
    }
    query.newestFirst = !forward;
    auto events = store_.events(c.accountId, c.region, in["logGroupName"], query, nowMillis(env_));
    if (!events) return events.error();
    if (query.newestFirst) std::reverse(events->begin(), events->end());
    Json out = {{"events", Json::array()}};
    for (const LogEvent& e : *events) {
      out["events"].push_back({{"timestamp", e.timestamp}, {"message", e.message}, {"ingestionTime", e.ingestionTime}});
    }
    // At either end, the token handed back is the one that was given.
    out["nextForwardToken"] = events->empty() ? (token.empty() ? "f/0/0" : token) : cursor("f/", events->back());
    out["nextBackwardToken"] = events->empty() ? (token.empty() ? "b/0/0" : token) : cursor("b/", events->front());
    return out;
  }

  Result<Json> filterEvents(const RequestContext& c, const Json& in) {
    auto pattern = FilterPattern::parse(in.value("filterPattern", ""));
    if (!pattern) return pattern.error();
    if (in.contains("logStreamNames") && in.contains("logStreamNamePrefix")) {
      return invalid("logStreamNames and logStreamNamePrefix cannot both be given.");
    }
    LogEventQuery query;
    if (in.contains("logStreamNames")) query.streams = in["logStreamNames"].get<std::vector<std::string>>();
    query.streamPrefix = in.value("logStreamNamePrefix", "");
    if (in.contains("startTime")) query.startTime = in["startTime"].get<int64_t>();
    if (in.contains("endTime")) query.endTime = in["endTime"].get<int64_t>();
    if (in.contains("nextToken")) {
      query.after = parseCursor(in["nextToken"].get<std::string>(), "");
      if (!query.after) return invalid("The specified nextToken is invalid.");
    }
    size_t limit = in.value("limit", 10000);
    Json out = {{"events", Json::array()}, {"searchedLogStreams", Json::array()}};
    // Scan in pages so a selective pattern over a large group stays bounded in memory.
    query.limit = 1000;
    while (out["events"].size() < limit) {
      auto events = store_.events(c.accountId, c.region, in["logGroupName"], query, nowMillis(env_));
      if (!events) return events.error();
      for (const LogEvent& e : *events) {
        query.after = std::pair{e.timestamp, e.id};
        if (!pattern->matches(e.message)) continue;
        out["events"].push_back({{"logStreamName", e.stream}, {"timestamp", e.timestamp}, {"message", e.message},
                                 {"ingestionTime", e.ingestionTime}, {"eventId", std::to_string(e.id)}});
        if (out["events"].size() == limit) {
          out["nextToken"] = std::to_string(e.timestamp) + "/" + std::to_string(e.id);
          break;
        }
      }
      if (events->size() < query.limit) break;
    }
    return out;
  }

  ServiceEnv env_;
  LogStore& store_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeLogsService(const ServiceEnv& env, LogStore& store) {
  return std::make_unique<LogsService>(env, store);
}

}  // namespace kura
