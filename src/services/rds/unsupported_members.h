#pragma once
// Request members RDS takes and Kura does not put into effect (option
// groups, Enhanced Monitoring, Performance Insights, directory domains,
// Oracle's and SQL Server's settings, Outposts and RDS Custom, the Data
// API, Backtrack, Serverless v1, a port or a managed password changed by
// a modify, ...): refused with AWS's error shape when a call gives them a
// value that would change anything, never accepted and ignored (the call
// would answer success and not do what it asked). Values that ask for
// what Kura does anyway (MonitoringInterval 0, a default option group, an
// empty list) pass.
#include <optional>
#include <string_view>

#include "common/api_error.h"
#include "services/core/handler_table.h"

namespace kura::rds {

std::optional<ApiError> refuseUnsupportedMembers(std::string_view operation, const Json& in);

}  // namespace kura::rds
