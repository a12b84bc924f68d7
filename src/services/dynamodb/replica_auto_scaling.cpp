#include "services/dynamodb/replica_auto_scaling.h"

#include <algorithm>

#include "services/dynamodb/dynamodb_api.h"

namespace kura::ddb {
namespace {

std::string resourceOf(const std::string& table, const std::string& index) {
  return index.empty() ? "table/" + table : "table/" + table + "/index/" + index;
}

std::string dimensionOf(bool index, bool read) {
  return std::string("dynamodb:") + (index ? "index" : "table") + (read ? ":ReadCapacityUnits" : ":WriteCapacityUnits");
}

bool isIndex(const std::string& resource) { return resource.find("/index/") != std::string::npos; }

const char* metricOf(bool read) {
  return read ? "DynamoDBReadCapacityUtilization" : "DynamoDBWriteCapacityUtilization";
}

}  // namespace

void ReplicaAutoScaling::registerHandlers(HandlerTable& table) {
  table.add("DescribeTableReplicaAutoScaling",
            [this](const RequestContext& c, const Json& in) { return describe(c, in); });
  table.add("UpdateTableReplicaAutoScaling", [this](const RequestContext& c, const Json& in) { return update(c, in); });
}

Result<Json> ReplicaAutoScaling::call(const RequestContext& c, const std::string& region, const std::string& operation,
                                      const Json& in) {
  const HandlerTable* handlers = autoScaling_ ? autoScaling_->load() : nullptr;
  const Handler* handler = handlers != nullptr ? handlers->find(operation) : nullptr;
  if (handler == nullptr) return ApiError::internal("Application Auto Scaling is not available");
  RequestContext inRegion = c;
  inRegion.region = region;
  inRegion.service = "application-autoscaling";
  inRegion.operation = operation;
  return (*handler)(inRegion, in);
}

Result<std::vector<std::pair<std::string, std::string>>> ReplicaAutoScaling::replicas(const RequestContext& c,
                                                                                      const std::string& table,
                                                                                      Json& description) {
  auto described = api_.describeTable(c, {{"TableName", table}});
  if (!described) return described.error();
  description = (*described)["Table"];
  std::vector<std::pair<std::string, std::string>> out = {{c.region, description.value("TableStatus", "ACTIVE")}};
  for (const Json& replica : description.value("Replicas", Json::array())) {
    std::string region = replica.value("RegionName", "");
    if (!region.empty() && region != c.region) out.emplace_back(region, replica.value("ReplicaStatus", "ACTIVE"));
  }
  return out;
}

Result<Json> ReplicaAutoScaling::settings(const RequestContext& c, const std::string& region,
                                          const std::string& resource, bool read) {
  Json filter = {{"ServiceNamespace", "dynamodb"},
                 {"ResourceIds", Json::array({resource})},
                 {"ScalableDimension", dimensionOf(isIndex(resource), read)}};
  auto targets = call(c, region, "DescribeScalableTargets", filter);
  if (!targets) return targets.error();
  if ((*targets)["ScalableTargets"].empty()) return Json();
  const Json& target = (*targets)["ScalableTargets"][0];
  Json out = {{"MinimumUnits", target["MinCapacity"]},
              {"MaximumUnits", target["MaxCapacity"]},
              {"AutoScalingDisabled", false},
              {"ScalingPolicies", Json::array()}};
  if (target.contains("RoleARN")) out["AutoScalingRoleArn"] = target["RoleARN"];
  auto policies = call(c, region, "DescribeScalingPolicies", filter);
  if (!policies) return policies.error();
  for (const Json& policy : (*policies)["ScalingPolicies"]) {
    auto tracking = policy.find("TargetTrackingScalingPolicyConfiguration");
    if (tracking == policy.end()) continue;
    Json configuration = {{"TargetValue", (*tracking)["TargetValue"]}};
    for (const char* member : {"DisableScaleIn", "ScaleInCooldown", "ScaleOutCooldown"}) {
      if (tracking->contains(member)) configuration[member] = (*tracking)[member];
    }
    out["ScalingPolicies"].push_back(
        {{"PolicyName", policy["PolicyName"]}, {"TargetTrackingScalingPolicyConfiguration", configuration}});
  }
  return out;
}

Result<Json> ReplicaAutoScaling::describe(const RequestContext& c, const Json& in) {
  std::string name = in["TableName"];
  Json table;
  auto regions = replicas(c, name, table);
  if (!regions) return regions.error();
  Json out = {{"TableName", name}, {"TableStatus", table.value("TableStatus", "ACTIVE")}, {"Replicas", Json::array()}};
  for (const auto& [region, status] : *regions) {
    Json replica = {{"RegionName", region}, {"ReplicaStatus", status}, {"GlobalSecondaryIndexes", Json::array()}};
    for (bool read : {true, false}) {
      auto found = settings(c, region, resourceOf(name, ""), read);
      if (!found) return found.error();
      if (!found->is_null()) {
        replica[read ? "ReplicaProvisionedReadCapacityAutoScalingSettings"
                     : "ReplicaProvisionedWriteCapacityAutoScalingSettings"] = *found;
      }
    }
    for (const Json& index : table.value("GlobalSecondaryIndexes", Json::array())) {
      std::string indexName = index.value("IndexName", "");
      Json entry = {{"IndexName", indexName}, {"IndexStatus", index.value("IndexStatus", "ACTIVE")}};
      for (bool read : {true, false}) {
        auto found = settings(c, region, resourceOf(name, indexName), read);
        if (!found) return found.error();
        if (!found->is_null()) {
          entry[read ? "ProvisionedReadCapacityAutoScalingSettings" : "ProvisionedWriteCapacityAutoScalingSettings"] =
              *found;
        }
      }
      replica["GlobalSecondaryIndexes"].push_back(entry);
    }
    out["Replicas"].push_back(replica);
  }
  return Json{{"TableAutoScalingDescription", out}};
}

std::optional<ApiError> ReplicaAutoScaling::apply(const RequestContext& c, const std::string& region,
                                                  const std::string& resource, bool read, const Json& update) {
  Json target = {{"ServiceNamespace", "dynamodb"},
                 {"ResourceId", resource},
                 {"ScalableDimension", dimensionOf(isIndex(resource), read)}};
  if (update.value("AutoScalingDisabled", false)) {
    auto gone = call(c, region, "DeregisterScalableTarget", target);
    if (!gone && gone.error().code != "ObjectNotFoundException") return gone.error();
    return std::nullopt;
  }
  Json registered = target;
  if (update.contains("MinimumUnits")) registered["MinCapacity"] = update["MinimumUnits"];
  if (update.contains("MaximumUnits")) registered["MaxCapacity"] = update["MaximumUnits"];
  if (update.contains("AutoScalingRoleArn")) registered["RoleARN"] = update["AutoScalingRoleArn"];
  if (auto done = call(c, region, "RegisterScalableTarget", registered); !done) return done.error();
  auto policy = update.find("ScalingPolicyUpdate");
  if (policy == update.end()) return std::nullopt;
  const Json& given = (*policy)["TargetTrackingScalingPolicyConfiguration"];
  Json configuration = {{"TargetValue", given["TargetValue"]},
                        {"PredefinedMetricSpecification", {{"PredefinedMetricType", metricOf(read)}}}};
  for (const char* member : {"DisableScaleIn", "ScaleInCooldown", "ScaleOutCooldown"}) {
    if (given.contains(member)) configuration[member] = given[member];
  }
  Json put = target;
  put["PolicyName"] = policy->value("PolicyName", std::string(metricOf(read)) + ":" + resource);
  put["PolicyType"] = "TargetTrackingScaling";
  put["TargetTrackingScalingPolicyConfiguration"] = configuration;
  if (auto done = call(c, region, "PutScalingPolicy", put); !done) return done.error();
  return std::nullopt;
}

Result<Json> ReplicaAutoScaling::update(const RequestContext& c, const Json& in) {
  std::string name = in["TableName"];
  Json table;
  auto regions = replicas(c, name, table);
  if (!regions) return regions.error();
  auto hasRegion = [&](const std::string& region) {
    return std::any_of(regions->begin(), regions->end(), [&](const auto& r) { return r.first == region; });
  };
  for (const Json& replica : in.value("ReplicaUpdates", Json::array())) {
    std::string region = replica["RegionName"];
    if (!hasRegion(region)) {
      return ApiError::sender("ValidationException",
                              "One or more parameter values were invalid: Table " + name +
                                  " has no replica in region " + region);
    }
  }
  // Write capacity: every replica's alike.
  for (const auto& [region, status] : *regions) {
    if (in.contains("ProvisionedWriteCapacityAutoScalingUpdate")) {
      if (auto error = apply(c, region, resourceOf(name, ""), false, in["ProvisionedWriteCapacityAutoScalingUpdate"])) {
        return *error;
      }
    }
    for (const Json& index : in.value("GlobalSecondaryIndexUpdates", Json::array())) {
      if (!index.contains("ProvisionedWriteCapacityAutoScalingUpdate")) continue;
      if (auto error = apply(c, region, resourceOf(name, index.value("IndexName", "")), false,
                             index["ProvisionedWriteCapacityAutoScalingUpdate"])) {
        return *error;
      }
    }
  }
  // Read capacity: each replica's own.
  for (const Json& replica : in.value("ReplicaUpdates", Json::array())) {
    std::string region = replica["RegionName"];
    if (replica.contains("ReplicaProvisionedReadCapacityAutoScalingUpdate")) {
      if (auto error = apply(c, region, resourceOf(name, ""), true,
                             replica["ReplicaProvisionedReadCapacityAutoScalingUpdate"])) {
        return *error;
      }
    }
    for (const Json& index : replica.value("ReplicaGlobalSecondaryIndexUpdates", Json::array())) {
      if (!index.contains("ProvisionedReadCapacityAutoScalingUpdate")) continue;
      if (auto error = apply(c, region, resourceOf(name, index.value("IndexName", "")), true,
                             index["ProvisionedReadCapacityAutoScalingUpdate"])) {
        return *error;
      }
    }
  }
  return describe(c, {{"TableName", name}});
}

}  // namespace kura::ddb
