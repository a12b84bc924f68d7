#pragma once
// One run of `kura check`: every rule group against the endpoint, then the
// suppressions.
#include <string>
#include <variant>
#include <vector>

#include "check/rule_result.h"
#include "check/suppressions.h"
#include "client/aws_client.h"

namespace kura::check {

// Before the rules: one call (STS GetCallerIdentity) that proves the
// endpoint answers and accepts the credentials. An error sentence when it
// does not (kura check exits 2); an endpoint without STS passes.
std::string probeEndpoint(client::AwsClient& client);

CheckReport runCheck(client::AwsClient& client, ClockPtr clock, const std::string& endpointUrl,
                     const std::vector<Suppression>& suppressions);

}  // namespace kura::check
