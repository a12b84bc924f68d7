#include "services/cloudtrail/trail_description.h"

#include <algorithm>
#include <optional>

#include "common/time_format.h"
#include "trail/trail_format.h"

namespace kura {
namespace {

using Json = nlohmann::json;

constexpr const char* kTrailName = "kura";

std::string trailArn(const RequestContext& c) {
  return "arn:aws:cloudtrail:" + c.region + ":" + c.accountId + ":trail/" + kTrailName;
}

// A trail named by its name or ARN: Kura's, or none.
bool namesOurTrail(const RequestContext& c, const std::string& name) {
  return name == kTrailName || name == trailArn(c);
}

ApiError trailNotFound(const RequestContext& c, const std::string& name) {
  return ApiError::sender("TrailNotFoundException", "Unknown trail: " + name + " for the user: " + c.accountId);
}

// The trail is multi-region (it records every region's calls); Kura has no
// region of its own, so its home is reported as the caller's region.
Json trailJson(const RequestContext& c) {
  return {{"Name", kTrailName},
          {"IncludeGlobalServiceEvents", true},
          {"IsMultiRegionTrail", true},
          {"HomeRegion", c.region},
          {"TrailARN", trailArn(c)},
          {"LogFileValidationEnabled", true},
          {"HasCustomEventSelectors", true},
          {"HasInsightSelectors", false},
          {"IsOrganizationTrail", false}};
}

// What the trail records: every management event, read and write, and the
// data events of DynamoDB's items and streams (src/trail/trail_payloads.h).
Json advancedSelectors() {
  auto selector = [](const char* name, Json fields) { return Json{{"Name", name}, {"FieldSelectors", fields}}; };
  auto equals = [](const char* field, Json values) { return Json{{"Field", field}, {"Equals", values}}; };
  return Json::array(
      {selector("Management events", Json::array({equals("eventCategory", {"Management"})})),
       selector("DynamoDB item data events", Json::array({equals("eventCategory", {"Data"}),
                                                          equals("resources.type", {"AWS::DynamoDB::Table"})})),
       selector("DynamoDB Streams data events", Json::array({equals("eventCategory", {"Data"}),
                                                             equals("resources.type", {"AWS::DynamoDB::Stream"})}))});
}

constexpr int kLongestRetentionDays = 2557;  // the model's RetentionPeriod maximum

std::string storeArn(const RequestContext& c) {
  return "arn:aws:cloudtrail:" + c.region + ":" + c.accountId + ":eventdatastore/" + kTrailName;
}

Json eventDataStoreJson(const RequestContext& c, const OwnTrail& trail) {
  int days = trail.retentionDays <= 0 ? kLongestRetentionDays : std::min(trail.retentionDays, kLongestRetentionDays);
  return {{"EventDataStoreArn", storeArn(c)},
          {"Name", kTrailName},
          {"Status", "ENABLED"},
          {"AdvancedEventSelectors", advancedSelectors()},
          {"MultiRegionEnabled", true},
          {"OrganizationEnabled", false},
          {"RetentionPeriod", days},
          {"TerminationProtectionEnabled", true}};
}

ApiError unsupported(const std::string& operation) {
  return ApiError::sender("UnsupportedOperationException",
                          operation + " is not supported: Kura keeps one trail of every call, always on, whose log "
                                      "files are validated by signed digests (kura trail verify).");
}

}  // namespace

void addTrailDescriptionHandlers(HandlerTable& handlers, OwnTrail trail) {
  handlers.add("DescribeTrails", [](const RequestContext& c, const Json& in) -> Result<Json> {
    Json out = {{"trailList", Json::array()}};
    const Json names = in.value("trailNameList", Json::array());
    bool wanted = names.empty();
    for (const Json& name : names) wanted = wanted || namesOurTrail(c, name.get<std::string>());
    if (wanted) out["trailList"].push_back(trailJson(c));
    return out;
  });
  handlers.add("GetTrail", [](const RequestContext& c, const Json& in) -> Result<Json> {
    std::string name = in.value("Name", "");
    if (!namesOurTrail(c, name)) return trailNotFound(c, name);
    return Json{{"Trail", trailJson(c)}};
  });
  handlers.add("ListTrails", [](const RequestContext& c, const Json&) -> Result<Json> {
    return Json{{"Trails", Json::array({{{"TrailARN", trailArn(c)}, {"Name", kTrailName}, {"HomeRegion", c.region}}})}};
  });
  handlers.add("GetTrailStatus", [trail](const RequestContext& c, const Json& in) -> Result<Json> {
    std::string name = in.value("Name", "");
    if (!namesOurTrail(c, name)) return trailNotFound(c, name);
    Json out = {{"IsLogging", trail.logging}};
    if (trail.logging) out["StartLoggingTime"] = toEpochSeconds(trail.startedAt);
    // The caller's account's own times, never the shared files' (they
    // would tell when other accounts are active).
    if (trail.activity != nullptr) {
      auto times = trail.activity->of(c.accountId);
      if (times.delivered) out["LatestDeliveryTime"] = toEpochSeconds(*times.delivered);
      if (times.digested) out["LatestDigestDeliveryTime"] = toEpochSeconds(*times.digested);
    }
    return out;
  });
  handlers.add("GetEventSelectors", [](const RequestContext& c, const Json& in) -> Result<Json> {
    std::string name = in.value("TrailName", "");
    if (!namesOurTrail(c, name)) return trailNotFound(c, name);
    return Json{{"TrailARN", trailArn(c)}, {"AdvancedEventSelectors", advancedSelectors()}};
  });
  handlers.add("StartLogging", [trail](const RequestContext& c, const Json& in) -> Result<Json> {
    std::string name = in.value("Name", "");
    if (!namesOurTrail(c, name)) return trailNotFound(c, name);
    if (!trail.logging) return unsupported("StartLogging");  // the server runs with --trail off
    return Json::object();  // it is logging, and stays so
  });
  handlers.add("ListEventDataStores", [trail](const RequestContext& c, const Json&) -> Result<Json> {
    return Json{{"EventDataStores", Json::array({eventDataStoreJson(c, trail)})}};
  });
  handlers.add("GetEventDataStore", [trail](const RequestContext& c, const Json& in) -> Result<Json> {
    std::string name = in.value("EventDataStore", "");
    if (name != storeArn(c) && name != kTrailName) {
      return ApiError::sender("EventDataStoreNotFoundException", "The specified event data store was not found.");
    }
    return eventDataStoreJson(c, trail);
  });
  for (const char* operation : {"CreateTrail", "DeleteTrail", "StopLogging", "UpdateTrail", "PutEventSelectors",
                                "PutInsightSelectors", "CreateEventDataStore", "UpdateEventDataStore",
                                "DeleteEventDataStore", "StartQuery"}) {
    handlers.add(operation, [operation](const RequestContext&, const Json&) -> Result<Json> {
      return unsupported(operation);
    });
  }
}

}  // namespace kura
