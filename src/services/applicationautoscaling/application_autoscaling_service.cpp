#include "services/applicationautoscaling/application_autoscaling_service.h"

#include <algorithm>
#include <charconv>
#include <mutex>

#include "common/ids.h"
#include "common/periodic_task.h"
#include "common/time_format.h"
#include "services/applicationautoscaling/scalable_dimensions.h"
#include "services/applicationautoscaling/scaling_store.h"
#include "services/applicationautoscaling/scheduled_actions.h"
#include "services/applicationautoscaling/target_tracking_scaler.h"

namespace kura {
namespace {

constexpr int64_t kMaxResults = 50;
// AWS's default quotas: scalable targets per namespace and account, scaling
// policies and scheduled actions per target.
constexpr size_t kMaxTargets = 3000;
constexpr size_t kMaxPolicies = 50;
constexpr size_t kMaxScheduled = 200;

ApiError validation(const std::string& message) { return ApiError::sender("ValidationException", message); }
ApiError notFound(const std::string& message) { return ApiError::sender("ObjectNotFoundException", message); }
ApiError limit(const std::string& message) { return ApiError::sender("LimitExceededException", message); }

// How many of `entries` belong to the target `key`.
size_t countOf(const std::vector<std::pair<TargetKey, Json>>& entries, const TargetKey& key) {
  return static_cast<size_t>(std::count_if(entries.begin(), entries.end(), [&](const auto& entry) {
    return entry.first.resourceId == key.resourceId && entry.first.dimension == key.dimension;
  }));
}

TargetKey keyOf(const RequestContext& c, const Json& in) {
  return {c.accountId, c.region, in.value("ServiceNamespace", ""), in.value("ResourceId", ""),
          in.value("ScalableDimension", "")};
}

std::string targetWords(const TargetKey& key) {
  return "service namespace: " + key.nameSpace + ", resource ID: " + key.resourceId +
         ", scalable dimension: " + key.dimension;
}

// Kura's own fields ("_...") are not shown.
Json shown(Json value) {
  for (auto it = value.begin(); it != value.end();) {
    it = it.key().starts_with("_") ? value.erase(it) : std::next(it);
  }
  return value;
}

// One page of `items` from NextToken (an index) on; the token of the next.
Result<Json> page(const Json& in, const std::vector<Json>& items, const char* member) {
  int64_t limit = in.value("MaxResults", kMaxResults);
  if (limit < 1 || limit > kMaxResults) {
    return validation("1 validation error detected: Value '" + std::to_string(limit) +
                      "' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 50");
  }
  size_t start = 0;
  if (in.contains("NextToken")) {
    std::string token = in["NextToken"];
    auto parsed = std::from_chars(token.data(), token.data() + token.size(), start);
    if (parsed.ec != std::errc() || parsed.ptr != token.data() + token.size() || start > items.size()) {
      return ApiError::sender("InvalidNextTokenException", "Invalid token: " + token);
    }
  }
  Json out = {{member, Json::array()}};
  size_t end = std::min(items.size(), start + static_cast<size_t>(limit));
  for (size_t i = start; i < end; ++i) out[member].push_back(shown(items[i]));
  if (end < items.size()) out["NextToken"] = std::to_string(end);
  return out;
}

bool listed(const Json& in, const char* member, const std::string& value) {
  if (!in.contains(member) || in[member].empty()) return true;
  for (const Json& given : in[member]) {
    if (given == value) return true;
  }
  return false;
}

class ApplicationAutoScalingService final : public ServiceModule {
 public:
  ApplicationAutoScalingService(const ServiceEnv& env, AutoScalingDeps deps)
      : env_(env),
        deps_(std::move(deps)),
        store_(env.dataDir),
        capacity_(DynamoDbCapacity(deps_.dynamodb, deps_.record, env.clock),
                  AuroraReplicas(ServiceRoleCalls(deps_.rds, "rds", "AWSServiceRoleForApplicationAutoScaling_RDSCluster",
                                                  deps_.record, env.clock)),
                  CacheReplicas(ServiceRoleCalls(deps_.elasticache, "elasticache",
                                                 "AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG", deps_.record,
                                                 env.clock))),
        scaler_(store_, *deps_.alarms, *deps_.metrics, capacity_, deps_.times, env.clock),
        schedules_(store_, capacity_, deps_.times, env.clock),
        pass_("application auto scaling", std::chrono::milliseconds(500), [this] {
          std::lock_guard lock(changing_);
          scaler_.pass();
          schedules_.pass();
        }) {
    handlers_.add("RegisterScalableTarget", [this](const RequestContext& c, const Json& in) { return registerTarget(c, in); });
    handlers_.add("DescribeScalableTargets", [this](const RequestContext& c, const Json& in) { return describeTargets(c, in); });
    handlers_.add("DeregisterScalableTarget", [this](const RequestContext& c, const Json& in) { return deregisterTarget(c, in); });
    handlers_.add("PutScalingPolicy", [this](const RequestContext& c, const Json& in) { return putPolicy(c, in); });
    handlers_.add("DescribeScalingPolicies", [this](const RequestContext& c, const Json& in) { return describePolicies(c, in); });
    handlers_.add("DeleteScalingPolicy", [this](const RequestContext& c, const Json& in) { return deletePolicy(c, in); });
    handlers_.add("DescribeScalingActivities", [this](const RequestContext& c, const Json& in) { return describeActivities(c, in); });
    handlers_.add("PutScheduledAction", [this](const RequestContext& c, const Json& in) { return putScheduled(c, in); });
    handlers_.add("DescribeScheduledActions", [this](const RequestContext& c, const Json& in) { return describeScheduled(c, in); });
    handlers_.add("DeleteScheduledAction", [this](const RequestContext& c, const Json& in) { return deleteScheduled(c, in); });
  }
  std::string signingName() const override { return "application-autoscaling"; }
  const HandlerTable& handlers() const override { return handlers_; }
  void start() override { pass_.start(); }
  void stop() override { pass_.stop(); }

 private:
  double now() const { return toEpochSeconds(env_.clock->now()); }

  // The target's resource, checked, with its capacity now.
  Result<std::pair<ScalableResource, int64_t>> resolve(const TargetKey& key) {
    auto target = parseScalableTarget(key.nameSpace, key.resourceId, key.dimension);
    if (!target) return target.error();
    auto current = capacity_.current(key.account, key.region, *target);
    if (!current) return current.error();
    return std::pair{*target, *current};
  }

  Result<Json> registerTarget(const RequestContext& c, const Json& in) {
    TargetKey key = keyOf(c, in);
    auto resolved = resolve(key);
    if (!resolved) return resolved.error();
    auto existing = store_.target(key);
    if (!existing && store_.targets(c.accountId, c.region, key.nameSpace).size() >= kMaxTargets) {
      return limit("The maximum number of scalable targets (" + std::to_string(kMaxTargets) +
                   ") for service namespace " + key.nameSpace + " has been reached");
    }
    if (!existing && (!in.contains("MinCapacity") || !in.contains("MaxCapacity"))) {
      return validation("MinCapacity and MaxCapacity are required to register a new scalable target");
    }
    Json target = existing ? *existing
                           : Json{{"ServiceNamespace", key.nameSpace},
                                  {"ResourceId", key.resourceId},
                                  {"ScalableDimension", key.dimension},
                                  {"RoleARN", serviceRoleArn(c.accountId, key.nameSpace)},
                                  {"CreationTime", now()},
                                  {"SuspendedState",
                                   {{"DynamicScalingInSuspended", false},
                                    {"DynamicScalingOutSuspended", false},
                                    {"ScheduledScalingSuspended", false}}}};
    for (const char* member : {"MinCapacity", "MaxCapacity", "RoleARN"}) {
      if (in.contains(member)) target[member] = in[member];
    }
    for (const char* flag : {"DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended"}) {
      if (in.contains("SuspendedState") && in["SuspendedState"].contains(flag)) {
        target["SuspendedState"][flag] = in["SuspendedState"][flag];
      }
    }
    int64_t minimum = target["MinCapacity"], maximum = target["MaxCapacity"];
    CapacityBounds bounds = capacityBounds(resolved->first);
    if (minimum < bounds.minimum) {
      return validation("Minimum capacity cannot be less than " + std::to_string(bounds.minimum) + " for " +
                        (bounds.service[0] == 'A' || bounds.service[0] == 'E' ? "an " : "a ") + bounds.service +
                        " scalable target");
    }
    if (maximum > bounds.maximum) {
      return validation("Maximum capacity cannot be greater than " + std::to_string(bounds.maximum) + " for " +
                        (bounds.service[0] == 'A' || bounds.service[0] == 'E' ? "an " : "a ") + bounds.service +
                        " scalable target");
    }
    if (minimum > maximum) return validation("Minimum capacity cannot be greater than maximum capacity");
    store_.putTarget(key, target);
    // Capacity outside the new range is brought within it at once.
    int64_t current = resolved->second;
    if (current < minimum || current > maximum) {
      int64_t wanted = current < minimum ? minimum : maximum;
      std::string word = capacityNoun(resolved->first);
      Json activity = scalingActivity(key, "Setting " + word + " to " + std::to_string(wanted) + ".",
                                      std::string("minimum capacity was set to ") + std::to_string(minimum) +
                                          " and maximum capacity was set to " + std::to_string(maximum),
                                      now());
      store_.putActivity(key, activity);
      auto set = capacity_.set(key.account, key.region, resolved->first, wanted);
      activity["EndTime"] = now();
      activity["StatusCode"] = set ? "Successful" : "Failed";
      activity["StatusMessage"] = set ? "Successfully set " + word + " to " + std::to_string(wanted) +
                                            ". Change successfully fulfilled by " + key.nameSpace + "."
                                      : "Failed to set " + word + " to " + std::to_string(wanted) +
                                            ". Reason: " + set.error().message;
      store_.putActivity(key, activity);
    }
    return Json::object();
  }

  Result<Json> describeTargets(const RequestContext& c, const Json& in) {
    std::vector<Json> found;
    for (const auto& [key, target] : store_.targets(c.accountId, c.region, in["ServiceNamespace"])) {
      if (!listed(in, "ResourceIds", key.resourceId)) continue;
      if (in.contains("ScalableDimension") && in["ScalableDimension"] != key.dimension) continue;
      found.push_back(target);
    }
    return page(in, found, "ScalableTargets");
  }

  Result<Json> deregisterTarget(const RequestContext& c, const Json& in) {
    std::lock_guard lock(changing_);
    TargetKey key = keyOf(c, in);
    if (auto target = parseScalableTarget(key.nameSpace, key.resourceId, key.dimension); !target) return target.error();
    if (!store_.target(key)) return notFound("No scalable target found for " + targetWords(key));
    // The alarms go first: a kill between leaves policies whose alarms the
    // scaler's next pass writes again, never alarms without a policy.
    for (const auto& [policyKey, policy] : store_.policies(c.accountId, c.region, key.nameSpace)) {
      if (policyKey.resourceId == key.resourceId && policyKey.dimension == key.dimension) {
        deleteTrackingAlarms(*deps_.alarms, key, policy);
      }
    }
    store_.removeTarget(key);
    return Json::object();
  }

  Result<Json> putPolicy(const RequestContext& c, const Json& in) {
    std::lock_guard lock(changing_);
    TargetKey key = keyOf(c, in);
    auto parsed = parseScalableTarget(key.nameSpace, key.resourceId, key.dimension);
    if (!parsed) return parsed.error();
    if (!store_.target(key)) return notFound("No scalable target registered for " + targetWords(key));
    std::string type = in.value("PolicyType", "StepScaling");
    if (parsed->kind != ScalableKind::DynamoDbCapacity) return refusedPolicy(*parsed, type, in);
    if (type != "TargetTrackingScaling") {
      return validation("Unsupported policy type " + type + " for service namespace " + key.nameSpace +
                        ": DynamoDB supports TargetTrackingScaling only");
    }
    if (in.contains("StepScalingPolicyConfiguration")) {
      return validation("StepScalingPolicyConfiguration is not allowed for a TargetTrackingScaling policy");
    }
    if (!in.contains("TargetTrackingScalingPolicyConfiguration")) {
      return validation("TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy");
    }
    Json config = in["TargetTrackingScalingPolicyConfiguration"];
    if (config.contains("CustomizedMetricSpecification")) {
      return validation("Kura scales DynamoDB targets on their predefined metrics only "
                        "(CustomizedMetricSpecification is not supported)");
    }
    if (!config.contains("PredefinedMetricSpecification")) {
      return validation("Either PredefinedMetricSpecification or CustomizedMetricSpecification must be specified");
    }
    std::string metric = config["PredefinedMetricSpecification"].value("PredefinedMetricType", "");
    std::string expected = parsed->read ? "DynamoDBReadCapacityUtilization" : "DynamoDBWriteCapacityUtilization";
    if (metric != expected) {
      return validation("Unsupported metric " + metric + " for scalable dimension " + key.dimension);
    }
    if (config["PredefinedMetricSpecification"].contains("ResourceLabel")) {
      return validation("ResourceLabel is only valid for the ALBRequestCountPerTarget metric");
    }
    double value = config.value("TargetValue", 0.0);
    if (value < 20 || value > 90) {
      return validation("The target value for a DynamoDB metric must be between 20.0 and 90.0 (was " +
                        Json(value).dump() + ")");
    }
    for (const char* cooldown : {"ScaleOutCooldown", "ScaleInCooldown"}) {
      if (config.value(cooldown, int64_t{0}) < 0) return validation(std::string(cooldown) + " must not be negative");
    }
    std::string name = in["PolicyName"];
    auto existing = store_.policy(key, name);
    if (!existing && countOf(store_.policies(c.accountId, c.region, key.nameSpace), key) >= kMaxPolicies) {
      return limit("The maximum number of scaling policies (" + std::to_string(kMaxPolicies) +
                   ") for the scalable target has been reached");
    }
    Json policy;
    if (existing) {
      policy = *existing;
    } else {
      std::string id = newUuid();
      policy = {{"PolicyARN", "arn:aws:autoscaling:" + c.region + ":" + c.accountId + ":scalingPolicy:" + id +
                                  ":resource/" + key.nameSpace + "/" + key.resourceId + ":policyName/" + name},
                {"PolicyName", name},
                {"ServiceNamespace", key.nameSpace},
                {"ResourceId", key.resourceId},
                {"ScalableDimension", key.dimension},
                {"CreationTime", now()}};
      Json alarms = Json::array();
      for (bool high : {true, false}) {
        std::string alarm = trackingAlarmName(key.resourceId, high, newUuid());
        alarms.push_back({{"AlarmName", alarm},
                          {"AlarmARN", "arn:aws:cloudwatch:" + c.region + ":" + c.accountId + ":alarm:" + alarm}});
      }
      policy["Alarms"] = alarms;
    }
    policy["PolicyType"] = type;
    policy["TargetTrackingScalingPolicyConfiguration"] = config;
    auto current = capacity_.current(key.account, key.region, *parsed);
    if (!current) return current.error();
    store_.putPolicy(key, name, policy);
    // Thresholds of a changed target value are rewritten in place.
    putTrackingAlarms(*deps_.alarms, key, *parsed, policy, *current, deps_.times, now());
    return Json{{"PolicyARN", policy["PolicyARN"]}, {"Alarms", policy["Alarms"]}};
  }

  // Policies for Aurora and ElastiCache targets: Kura records none of the
  // metrics their predefined metric types stand for, so a policy could not
  // scale; it is refused rather than accepted and never acted on.
  Result<Json> refusedPolicy(const ScalableResource& target, const std::string& type, const Json& in) {
    if (type != "TargetTrackingScaling") {
      return validation("Kura supports only scheduled actions for " + std::string(capacityBounds(target).service) +
                        " scalable targets (PolicyType " + type + " is not supported)");
    }
    const Json config = in.value("TargetTrackingScalingPolicyConfiguration", Json::object());
    if (config.contains("CustomizedMetricSpecification")) {
      return validation("Kura supports only scheduled actions for " + std::string(capacityBounds(target).service) +
                        " scalable targets (CustomizedMetricSpecification is not supported)");
    }
    std::string metric =
        config.value("PredefinedMetricSpecification", Json::object()).value("PredefinedMetricType", "");
    std::vector<std::string> allowed;
    if (target.kind == ScalableKind::AuroraReplicas) {
      allowed = {"RDSReaderAverageCPUUtilization", "RDSReaderAverageDatabaseConnections"};
    } else if (target.kind == ScalableKind::CacheReplicas) {
      allowed = {"ElastiCachePrimaryEngineCPUUtilization", "ElastiCacheReplicaEngineCPUUtilization",
                 "ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage"};
    } else {
      allowed = {"ElastiCachePrimaryEngineCPUUtilization", "ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage",
                 "ElastiCacheDatabaseCapacityUsageCountedForEvictPercentage"};
    }
    if (std::find(allowed.begin(), allowed.end(), metric) == allowed.end()) {
      return validation("Unsupported metric " + metric + " for scalable dimension " +
                        in.value("ScalableDimension", ""));
    }
    return validation("Kura does not record the metric behind " + metric + " for " +
                      std::string(capacityBounds(target).service) +
                      " yet, so a target-tracking policy on it could not scale; use scheduled actions");
  }

  Result<Json> describePolicies(const RequestContext& c, const Json& in) {
    std::vector<Json> found;
    for (const auto& [key, policy] : store_.policies(c.accountId, c.region, in["ServiceNamespace"])) {
      if (in.contains("ResourceId") && in["ResourceId"] != key.resourceId) continue;
      if (in.contains("ScalableDimension") && in["ScalableDimension"] != key.dimension) continue;
      if (!listed(in, "PolicyNames", policy["PolicyName"])) continue;
      found.push_back(policy);
    }
    return page(in, found, "ScalingPolicies");
  }

  Result<Json> deletePolicy(const RequestContext& c, const Json& in) {
    std::lock_guard lock(changing_);
    TargetKey key = keyOf(c, in);
    if (auto target = parseScalableTarget(key.nameSpace, key.resourceId, key.dimension); !target) return target.error();
    std::string name = in["PolicyName"];
    auto policy = store_.policy(key, name);
    if (!policy) return notFound("No scaling policy found for " + targetWords(key) + ", policy name: " + name);
    deleteTrackingAlarms(*deps_.alarms, key, *policy);  // first, as DeregisterScalableTarget does
    store_.removePolicy(key, name);
    return Json::object();
  }

  Result<Json> describeActivities(const RequestContext& c, const Json& in) {
    if (in.contains("ScalableDimension") && !in.contains("ResourceId")) {
      return validation("ScalableDimension requires a ResourceId");
    }
    auto found = store_.activities(c.accountId, c.region, in["ServiceNamespace"], in.value("ResourceId", ""),
                                   in.value("ScalableDimension", ""), 1000);
    return page(in, found, "ScalingActivities");
  }

  Result<Json> putScheduled(const RequestContext& c, const Json& in) {
    TargetKey key = keyOf(c, in);
    auto parsed = parseScalableTarget(key.nameSpace, key.resourceId, key.dimension);
    if (!parsed) return parsed.error();
    if (!store_.target(key)) return notFound("No scalable target registered for " + targetWords(key));
    std::string name = in["ScheduledActionName"];
    auto existing = store_.scheduledAction(key, name);
    if (!existing && countOf(store_.scheduledActions(c.accountId, c.region, key.nameSpace), key) >= kMaxScheduled) {
      return limit("The maximum number of scheduled actions (" + std::to_string(kMaxScheduled) +
                   ") for the scalable target has been reached");
    }
    if (!existing && !in.contains("Schedule")) return validation("Schedule is required for a new scheduled action");
    Json action = existing ? *existing
                           : Json{{"ScheduledActionName", name},
                                  {"ScheduledActionARN", "arn:aws:autoscaling:" + c.region + ":" + c.accountId +
                                                             ":scheduledAction:" + newUuid() + ":resource/" +
                                                             key.nameSpace + "/" + key.resourceId +
                                                             ":scheduledActionName/" + name},
                                  {"ServiceNamespace", key.nameSpace},
                                  {"ResourceId", key.resourceId},
                                  {"ScalableDimension", key.dimension},
                                  {"CreationTime", now()}};
    for (const char* member : {"Schedule", "Timezone", "StartTime", "EndTime", "ScalableTargetAction"}) {
      if (in.contains(member)) action[member] = in[member];
    }
    if (auto checked = checkSchedule(action); !checked) return checked.error();
    const Json range = action.value("ScalableTargetAction", Json::object());
    if (range.contains("MinCapacity") && range.contains("MaxCapacity") && range["MinCapacity"] > range["MaxCapacity"]) {
      return validation("Minimum capacity cannot be greater than maximum capacity");
    }
    action.erase("_lastRun");  // a changed schedule runs at its next time
    store_.putScheduledAction(key, name, action);
    return Json::object();
  }

  Result<Json> describeScheduled(const RequestContext& c, const Json& in) {
    std::vector<Json> found;
    for (const auto& [key, action] : store_.scheduledActions(c.accountId, c.region, in["ServiceNamespace"])) {
      if (in.contains("ResourceId") && in["ResourceId"] != key.resourceId) continue;
      if (in.contains("ScalableDimension") && in["ScalableDimension"] != key.dimension) continue;
      if (!listed(in, "ScheduledActionNames", action["ScheduledActionName"])) continue;
      found.push_back(action);
    }
    return page(in, found, "ScheduledActions");
  }

  Result<Json> deleteScheduled(const RequestContext& c, const Json& in) {
    TargetKey key = keyOf(c, in);
    if (auto target = parseScalableTarget(key.nameSpace, key.resourceId, key.dimension); !target) return target.error();
    std::string name = in["ScheduledActionName"];
    if (!store_.removeScheduledAction(key, name)) {
      return notFound("No scheduled action found for " + targetWords(key) + ", scheduled action name: " + name);
    }
    return Json::object();
  }

  ServiceEnv env_;
  AutoScalingDeps deps_;
  ScalingStore store_;
  TargetCapacity capacity_;
  TargetTrackingScaler scaler_;
  ScheduledActionRunner schedules_;
  HandlerTable handlers_;
  // Held by a pass and by the calls that remove or replace policies: a
  // pass that had read a policy would otherwise write its alarms again
  // after DeregisterScalableTarget or DeleteScalingPolicy deleted them.
  std::mutex changing_;
  PeriodicTask pass_;
};

}  // namespace

ServiceModulePtr makeApplicationAutoScalingService(const ServiceEnv& env, AutoScalingDeps deps) {
  return std::make_unique<ApplicationAutoScalingService>(env, std::move(deps));
}

}  // namespace kura
