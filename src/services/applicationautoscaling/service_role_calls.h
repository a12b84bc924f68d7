#pragma once
// Calls Application Auto Scaling makes to another service (RDS,
// ElastiCache) as AWS's service-linked role for that namespace: the same
// handlers a client's request runs, with a context naming the assumed role
// and application-autoscaling.amazonaws.com as the source, and the changes
// recorded in the trail as that role's calls.
#include <string>

#include "common/clock.h"
#include "services/applicationautoscaling/dynamodb_capacity.h"
#include "services/core/handler_table.h"

namespace kura {

class ServiceRoleCalls {
 public:
  // `service` is the handlers' service ("rds", "elasticache"), `roleName`
  // the service-linked role's name.
  ServiceRoleCalls(const HandlerTable* handlers, std::string service, std::string roleName, CallRecorder record,
                   ClockPtr clock)
      : handlers_(handlers),
        service_(std::move(service)),
        roleName_(std::move(roleName)),
        record_(std::move(record)),
        clock_(std::move(clock)) {}

  // A call that reads; one that changes (recorded in the trail).
  Result<Json> read(const std::string& account, const std::string& region, const std::string& operation,
                    const Json& input);
  Result<Json> change(const std::string& account, const std::string& region, const std::string& operation,
                      const Json& input);

 private:
  RequestContext context(const std::string& account, const std::string& region, const std::string& operation);
  Result<Json> call(const RequestContext& c, const Json& input);

  const HandlerTable* handlers_;
  std::string service_;
  std::string roleName_;
  CallRecorder record_;
  ClockPtr clock_;
};

}  // namespace kura
