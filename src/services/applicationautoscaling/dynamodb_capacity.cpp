#include "services/applicationautoscaling/dynamodb_capacity.h"

#include "common/deferred_syncs.h"
#include "common/ids.h"

namespace kura {
namespace {

constexpr const char* kRoleName = "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable";
constexpr const char* kRoleId = "AROAAPPLICATIONAUTOSCALING";
constexpr const char* kSessionName = "AutoScaling-DynamoDB";
constexpr const char* kServicePrincipal = "application-autoscaling.amazonaws.com";

// The ProvisionedThroughput of the table or its index in a DescribeTable answer.
std::optional<Json> throughputOf(const Json& table, const ScalableResource& target) {
  if (target.index.empty()) return table.value("ProvisionedThroughput", Json::object());
  for (const Json& index : table.value("GlobalSecondaryIndexes", Json::array())) {
    if (index.value("IndexName", "") == target.index) return index.value("ProvisionedThroughput", Json::object());
  }
  return std::nullopt;
}

std::string missing(const ScalableResource& target) {
  return target.index.empty() ? "DynamoDB table does not exist: table/" + target.table
                              : "DynamoDB global secondary index does not exist: table/" + target.table + "/index/" +
                                    target.index;
}

}  // namespace

RequestContext DynamoDbCapacity::roleContext(const std::string& account, const std::string& region,
                                             const std::string& operation) {
  RequestContext c;
  c.requestId = newUuid();
  c.accountId = account;
  c.region = region;
  c.principalType = "AssumedRole";
  c.roleName = kRoleName;
  c.roleId = kRoleId;
  c.roleArn = "arn:aws:iam::" + account + ":role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/" +
              kRoleName;
  c.userName = kSessionName;
  c.userId = std::string(kRoleId) + ":" + kSessionName;
  c.userArn = "arn:aws:sts::" + account + ":assumed-role/" + kRoleName + "/" + kSessionName;
  c.sessionIssuedAt = clock_->now();
  c.sourceIp = kServicePrincipal;
  c.userAgent = kServicePrincipal;
  c.service = "dynamodb";
  c.operation = operation;
  c.receivedAt = clock_->now();
  return c;
}

Result<Json> DynamoDbCapacity::call(const RequestContext& c, const std::string& operation, const Json& input) {
  const Handler* handler = dynamodb_ == nullptr ? nullptr : dynamodb_->find(operation);
  if (handler == nullptr) return ApiError::internal("DynamoDB is not available.");
  DeferredSyncs syncs;  // the table store's sync is waited for here, as a client's call waits
  Result<Json> output = (*handler)(c, input);
  if (std::string failed = syncs.waitAll(); !failed.empty() && output) output = ApiError::internal(failed);
  return output;
}

Result<int64_t> DynamoDbCapacity::current(const std::string& account, const std::string& region,
                                          const ScalableResource& target) {
  RequestContext c = roleContext(account, region, "DescribeTable");
  auto described = call(c, "DescribeTable", {{"TableName", target.table}});
  if (!described) {
    if (described.error().code == "ResourceNotFoundException") {
      return ApiError::sender("ValidationException", missing(target));
    }
    return described.error();
  }
  auto throughput = throughputOf((*described)["Table"], target);
  if (!throughput) return ApiError::sender("ValidationException", missing(target));
  return throughput->value(target.read ? "ReadCapacityUnits" : "WriteCapacityUnits", int64_t{0});
}

Result<bool> DynamoDbCapacity::set(const std::string& account, const std::string& region,
                                   const ScalableResource& target, int64_t units) {
  RequestContext c = roleContext(account, region, "DescribeTable");
  auto described = call(c, "DescribeTable", {{"TableName", target.table}});
  if (!described) return described.error();
  auto throughput = throughputOf((*described)["Table"], target);
  if (!throughput) return ApiError::sender("ValidationException", missing(target));
  Json units2 = {{"ReadCapacityUnits", throughput->value("ReadCapacityUnits", int64_t{1})},
                 {"WriteCapacityUnits", throughput->value("WriteCapacityUnits", int64_t{1})}};
  units2[target.read ? "ReadCapacityUnits" : "WriteCapacityUnits"] = units;
  Json input = {{"TableName", target.table}};
  if (target.index.empty()) {
    input["ProvisionedThroughput"] = units2;
  } else {
    input["GlobalSecondaryIndexUpdates"] =
        Json::array({{{"Update", {{"IndexName", target.index}, {"ProvisionedThroughput", units2}}}}});
  }
  RequestContext update = roleContext(account, region, "UpdateTable");
  auto updated = call(update, "UpdateTable", input);
  if (record_) record_(update, input, updated ? &*updated : nullptr, updated ? nullptr : &updated.error());
  if (!updated) return updated.error();
  return true;
}

}  // namespace kura
