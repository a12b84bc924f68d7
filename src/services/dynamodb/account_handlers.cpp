// DescribeLimits and DescribeEndpoints: what the account may provision, and
// where the service answers.
#include "services/dynamodb/dynamodb_api.h"

namespace kura::ddb {

std::optional<ApiError> checkThroughputLimit(const Json& throughput) {
  for (const char* units : {"ReadCapacityUnits", "WriteCapacityUnits"}) {
    if (!throughput.is_object() || !throughput.contains(units) || !throughput[units].is_number()) continue;
    // (At least 1: the service model checks that.)
    if (throughput[units].get<double>() > kTableMaxCapacityUnits) {
      return ApiError::sender("LimitExceededException",
                              std::string("Subscriber limit exceeded: Provisioned throughput for the table exceeds the "
                                          "maximum allowed ") + units + " (" + std::to_string(kTableMaxCapacityUnits) + ")");
    }
  }
  return std::nullopt;
}

Result<Json> DynamoDbApi::describeLimits(const RequestContext&, const Json&) {
  return Json{{"AccountMaxReadCapacityUnits", kAccountMaxCapacityUnits},
              {"AccountMaxWriteCapacityUnits", kAccountMaxCapacityUnits},
              {"TableMaxReadCapacityUnits", kTableMaxCapacityUnits},
              {"TableMaxWriteCapacityUnits", kTableMaxCapacityUnits}};
}

Result<Json> DynamoDbApi::describeEndpoints(const RequestContext& c, const Json&) {
  // The address the client reached Kura at: an SDK that discovers endpoints
  // keeps talking to Kura, never to AWS.
  return Json{{"Endpoints", Json::array({{{"Address", c.host.empty() ? "127.0.0.1" : c.host},
                                           {"CachePeriodInMinutes", 1440}}})}};
}

}  // namespace kura::ddb
