#pragma once
// A small AWS client driven by the service models Kura embeds: any
// operation of any service Kura carries a model of, signed with SigV4,
// sent to an --endpoint-url or AWS's regional endpoint, its answer decoded
// by the model, its pages followed by botocore's paginators.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "client/aws_environment.h"
#include "client/call_error.h"
#include "client/endpoint.h"
#include "client/http_transport.h"
#include "common/clock.h"
#include "protocol/model_registry.h"

namespace kura::client {

using CallResult = std::variant<nlohmann::json, CallError>;
// Waits between retries; tests pass one that does not sleep.
using RetryPause = std::function<void(std::chrono::milliseconds)>;
RetryPause realRetryPause();

class AwsClient {
 public:
  // endpointOverride: one endpoint for every service (Kura, moto); without
  // it each service's regional AWS endpoint.
  AwsClient(ClientIdentity identity, std::optional<Endpoint> endpointOverride, HttpTransportPtr transport,
            ClockPtr clock, RetryPause pause = realRetryPause(),
            const ModelRegistry& models = ModelRegistry::embedded());

  // One call; service is the signing name ("rds", "dynamodb", "monitoring").
  CallResult call(std::string_view service, std::string_view operation, const nlohmann::json& input);
  // Every page of a paginated operation: the first page's output with the
  // result members holding the items of all pages. Operations without a
  // paginator are one call.
  CallResult callAll(std::string_view service, std::string_view operation, nlohmann::json input);

  const ClientIdentity& identity() const { return identity_; }
  Endpoint endpointFor(std::string_view service) const;

 private:
  CallResult attempt(const ServiceModel& model, const Operation& operation, const nlohmann::json& input);

  ClientIdentity identity_;
  std::optional<Endpoint> endpointOverride_;
  HttpTransportPtr transport_;
  ClockPtr clock_;
  RetryPause pause_;
  const ModelRegistry& models_;
  size_t bytesRead_ = 0;  // answer bodies so far, to bound what callAll holds
};

// A CallResult's output, or nullptr when it is an error.
inline const nlohmann::json* outputOf(const CallResult& result) { return std::get_if<nlohmann::json>(&result); }
inline const CallError* errorOf(const CallResult& result) { return std::get_if<CallError>(&result); }

}  // namespace kura::client
