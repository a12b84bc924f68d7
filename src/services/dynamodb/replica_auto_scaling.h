#pragma once
// DescribeTableReplicaAutoScaling and UpdateTableReplicaAutoScaling: a
// table's auto scaling in every region it has a replica in, through
// Application Auto Scaling's own calls in each region (scalable targets on
// table/<name> and table/<name>/index/<index>, target-tracking policies on
// DynamoDB's capacity utilization), so that what one says the other shows.
// Write capacity is set for every replica alike, read capacity per replica,
// as DynamoDB's.
#include <atomic>
#include <memory>

#include "services/core/handler_table.h"

namespace kura::ddb {

class DynamoDbApi;

// Application Auto Scaling's handlers, known once its module is made
// (after DynamoDB's, whose handlers it calls in turn).
using AutoScalingSlot = std::shared_ptr<std::atomic<const HandlerTable*>>;

class ReplicaAutoScaling {
 public:
  ReplicaAutoScaling(DynamoDbApi& api, AutoScalingSlot autoScaling) : api_(api), autoScaling_(std::move(autoScaling)) {}
  void registerHandlers(HandlerTable& table);

  Result<Json> describe(const RequestContext& c, const Json& in);
  Result<Json> update(const RequestContext& c, const Json& in);

 private:
  // An Application Auto Scaling call in `region`, as the caller.
  Result<Json> call(const RequestContext& c, const std::string& region, const std::string& operation, const Json& in);
  // The regions of the table's replicas (its own first) with their status.
  Result<std::vector<std::pair<std::string, std::string>>> replicas(const RequestContext& c, const std::string& table,
                                                                    Json& description);
  Result<Json> settings(const RequestContext& c, const std::string& region, const std::string& resource,
                        bool read);
  std::optional<ApiError> apply(const RequestContext& c, const std::string& region, const std::string& resource,
                                bool read, const Json& update);

  DynamoDbApi& api_;
  AutoScalingSlot autoScaling_;
};

}  // namespace kura::ddb
