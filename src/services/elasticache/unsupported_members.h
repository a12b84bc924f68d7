#pragma once
// Request members ElastiCache takes and Kura does not put into effect
// (notifications to an SNS topic, log delivery, Outposts, IPv6, data
// tiering, EC2-Classic cache security groups): refused with AWS's error
// shape when a call gives them a value that would change anything, never
// accepted and ignored (the call would answer success and not do what it
// asked). Values that ask for what Kura does anyway (IpDiscovery ipv4, an
// empty list) pass.
#include <optional>

#include "common/api_error.h"
#include "services/core/handler_table.h"

namespace kura::elasticache {

std::optional<ApiError> refuseUnsupportedMembers(const Json& in);

}  // namespace kura::elasticache
