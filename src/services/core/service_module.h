#pragma once
// One AWS service as Kura implements it: its signing name, the handlers of
// the operations it implements, and whatever state it owns (storage
// engines, controllers). The server builds every module at start-up, hands
// it a ServiceEnv, and routes each request to the module whose signing name
// matches the request's SigV4 credential scope.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "services/core/handler_table.h"
#include "services/core/service_env.h"

namespace kura {

class ServiceModule {
 public:
  virtual ~ServiceModule() = default;
  virtual std::string signingName() const = 0;  // "dynamodb", "rds", "sts", ...
  virtual const HandlerTable& handlers() const = 0;
  // Further service models whose operations this module's handlers answer
  // (DynamoDB's answers DynamoDB Streams', "dynamodbstreams").
  virtual std::vector<std::string> alsoServes() const { return {}; }
  // A refusal the service answers before the model's checks (DynamoDB's
  // words for a table operation's missing or mis-sized TableName), if any.
  virtual std::optional<ApiError> checkBeforeModel(const std::string& /*operation*/, const Json& /*input*/) const {
    return std::nullopt;
  }
  // Called once the server accepts requests, and before it exits.
  virtual void start() {}
  virtual void stop() {}
};
using ServiceModulePtr = std::unique_ptr<ServiceModule>;

}  // namespace kura
