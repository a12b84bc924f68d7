#pragma once
// A drill's target among ElastiCache resources: a Redis replication group
// (cluster mode disabled), read through DescribeReplicationGroups, as a
// DatabaseTarget: its primary endpoint, the primary member (its
// writerInstance) and that member's zone; the AUTH token from --db-password.
// resolveDrillTarget reads an RDS instance or cluster first, then a group.
#include <string>
#include <variant>

#include "client/aws_client.h"
#include "drill/database_target.h"
#include "drill/drill_options.h"

namespace kura::drill {

std::variant<DatabaseTarget, std::string> resolveReplicationGroup(client::AwsClient& client,
                                                                  const DrillOptions& options);
std::variant<DatabaseTarget, std::string> resolveDrillTarget(client::AwsClient& client, const DrillOptions& options);

}  // namespace kura::drill
