#include "services/cloudtrail/cloudtrail_service.h"

#include <charconv>

#include "common/time_format.h"
#include "services/cloudtrail/trail_description.h"
#include "trail/trail_reader.h"

namespace kura {
namespace {

constexpr int kDefaultMaxResults = 50;

// The user name LookupEvents shows and matches: an IAM user's, "root",
// and for a role's session the session's name.
std::string userNameOf(const Json& identity) {
  std::string type = identity.value("type", "");
  if (type == "Root") return "root";
  if (type == "AssumedRole") {
    std::string arn = identity.value("arn", "");
    return arn.substr(arn.rfind('/') + 1);
  }
  return identity.value("userName", "");
}

// The lookup attribute a CloudTrail event matches, or false.
bool matches(const Json& event, const std::string& key, const std::string& value) {
  if (key == "EventId") return event.value("eventID", "") == value;
  if (key == "EventName") return event.value("eventName", "") == value;
  if (key == "EventSource") return event.value("eventSource", "") == value;
  if (key == "ReadOnly") return (event.value("readOnly", false) ? "true" : "false") == value;
  if (key == "AccessKeyId") return event["userIdentity"].value("accessKeyId", "") == value;
  if (key == "Username") return userNameOf(event["userIdentity"]) == value;
  if (key == "ResourceName" || key == "ResourceType") {
    // Resource names are the identifiers in the request's parameters.
    const Json& parameters = event["requestParameters"];
    if (!parameters.is_object()) return false;
    for (auto it = parameters.begin(); it != parameters.end(); ++it) {
      if (it->is_string() && it->get<std::string>() == value) return true;
    }
    return false;
  }
  return false;
}

Json toLookupEvent(const Json& event) {
  const Json& identity = event["userIdentity"];
  Json out = {{"EventId", event.value("eventID", "")},
              {"EventName", event.value("eventName", "")},
              {"ReadOnly", event.value("readOnly", false) ? "true" : "false"},
              {"AccessKeyId", identity.value("accessKeyId", "")},
              {"EventSource", event.value("eventSource", "")},
              {"Username", userNameOf(identity)},
              {"Resources", Json::array()},
              {"CloudTrailEvent", event.dump()}};
  if (auto time = parseTimestamp(event.value("eventTime", ""))) out["EventTime"] = toEpochSeconds(*time);
  return out;
}

class CloudTrailService final : public ServiceModule {
 public:
  CloudTrailService(const ServiceEnv& env, bool logging, int retentionDays, const AccountTrailActivity* activity)
      : trailDir_(env.dataDir / "trail"), flushTrail_(env.flushTrail) {
    addTrailDescriptionHandlers(handlers_, {trailDir_, logging, env.clock->now(), retentionDays, activity});
    handlers_.add("LookupEvents", [this](const RequestContext& context, const Json& input) {
      // Every call answered before this one is in what is read.
      if (flushTrail_) flushTrail_();
      return lookupEvents(context, input);
    });
  }
  std::string signingName() const override { return "cloudtrail"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  Result<Json> lookupEvents(const RequestContext& context, const Json& input) const {
    int maxResults = input.value("MaxResults", kDefaultMaxResults);
    if (maxResults < 1 || maxResults > 50) {
      return ApiError::sender("InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
    }
    std::optional<uint64_t> before;
    if (input.contains("NextToken")) {
      std::string token = input["NextToken"].get<std::string>();
      uint64_t value = 0;
      auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
      if (ec != std::errc() || end != token.data() + token.size()) {
        return ApiError::sender("InvalidNextTokenException", "Invalid NextToken.");
      }
      before = value;
    }
    std::optional<SystemTime> start, end;
    for (const char* name : {"StartTime", "EndTime"}) {
      if (!input.contains(name)) continue;
      const Json& value = input[name];
      auto time = value.is_number() ? std::optional(SystemTime(std::chrono::milliseconds(
                                          static_cast<long long>(value.get<double>() * 1000))))
                                    : parseTimestamp(value.get<std::string>());
      if (!time) return ApiError::sender("InvalidTimeRangeException", "Invalid time.");
      (std::string(name) == "StartTime" ? start : end) = time;
    }
    if (start && end && *start > *end) {
      return ApiError::sender("InvalidTimeRangeException", "StartTime must be before EndTime.");
    }
    const Json attributes = input.value("LookupAttributes", Json::array());
    if (attributes.size() > 1) {
      return ApiError::sender("InvalidLookupAttributesException", "Only one lookup attribute is allowed.");
    }
    Json events = Json::array();
    std::optional<uint64_t> lastSequence;
    bool more = false;
    readTrailNewestFirst(trailDir_, before, [&](uint64_t sequence, const Json& event) {
      if (event.value("recipientAccountId", "") != context.accountId ||
          event.value("awsRegion", "") != context.region) {
        return true;
      }
      auto time = parseTimestamp(event.value("eventTime", ""));
      if (time && start && *time < *start) return true;
      if (time && end && *time > *end) return true;
      for (const auto& attribute : attributes) {
        if (!matches(event, attribute.value("AttributeKey", ""), attribute.value("AttributeValue", ""))) return true;
      }
      if (static_cast<int>(events.size()) == maxResults) {
        more = true;
        return false;
      }
      events.push_back(toLookupEvent(event));
      lastSequence = sequence;
      return true;
    });
    Json output = {{"Events", events}};
    if (more && lastSequence) output["NextToken"] = std::to_string(*lastSequence);
    return output;
  }

  std::filesystem::path trailDir_;
  std::function<void()> flushTrail_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeCloudTrailService(const ServiceEnv& env, bool logging, int retentionDays,
                                       const AccountTrailActivity* activity) {
  return std::make_unique<CloudTrailService>(env, logging, retentionDays, activity);
}

}  // namespace kura
