#pragma once
// A DynamoDB target's capacity as Application Auto Scaling reads and
// changes it: DescribeTable for the provisioned units, UpdateTable (the same
// handler a client's UpdateTable runs) to change them, called as AWS's
// service-linked role AWSServiceRoleForApplicationAutoScaling_DynamoDBTable
// and recorded in the trail as that role's call.
#include <cstdint>
#include <functional>
#include <string>

#include "common/clock.h"
#include "services/applicationautoscaling/scalable_dimensions.h"
#include "services/core/handler_table.h"

namespace kura {

// Records a call Kura makes on a user's behalf, as the gateway records a
// client's (the trail).
using CallRecorder =
    std::function<void(const RequestContext&, const Json& input, const Json* output, const ApiError* error)>;

class DynamoDbCapacity {
 public:
  DynamoDbCapacity(const HandlerTable* dynamodb, CallRecorder record, ClockPtr clock)
      : dynamodb_(dynamodb), record_(std::move(record)), clock_(std::move(clock)) {}

  // The provisioned units of the table or index; ValidationException when
  // it does not exist.
  Result<int64_t> current(const std::string& account, const std::string& region, const ScalableResource& target);
  // Sets them (the other direction's units unchanged).
  Result<bool> set(const std::string& account, const std::string& region, const ScalableResource& target,
                   int64_t units);

 private:
  Result<Json> call(const RequestContext& c, const std::string& operation, const Json& input);
  RequestContext roleContext(const std::string& account, const std::string& region, const std::string& operation);

  const HandlerTable* dynamodb_;
  CallRecorder record_;
  ClockPtr clock_;
};

}  // namespace kura
