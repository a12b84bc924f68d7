#include "drill/cache_target.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;

bool enabled(const Json& value) { return value.is_boolean() ? value.get<bool>() : value == "enabled"; }

}  // namespace

std::variant<DatabaseTarget, std::string> resolveReplicationGroup(client::AwsClient& client,
                                                                  const DrillOptions& options) {
  auto answer = client.call("elasticache", "DescribeReplicationGroups", {{"ReplicationGroupId", options.resource}});
  if (const auto* error = client::errorOf(answer)) {
    if (error->code == "ReplicationGroupNotFoundFault") {
      return "no DB instance or cluster or replication group " + options.resource + " at the endpoint";
    }
    return "cannot read the replication group " + options.resource + ": " + error->describe();
  }
  const Json& groups = (*client::outputOf(answer))["ReplicationGroups"];
  if (!groups.is_array() || groups.empty()) return "no replication group " + options.resource + " at the endpoint";
  const Json& group = groups[0];
  const Json& nodeGroups = group.value("NodeGroups", Json::array());
  if (nodeGroups.size() != 1) return "the drill takes a replication group with cluster mode disabled (one node group)";
  if (enabled(group.value("TransitEncryptionEnabled", Json(false)))) {
    return "the drill's Redis client speaks plain TCP: the group has in-transit encryption";
  }
  DatabaseTarget target;
  target.resourceType = "replication-group";
  target.identifier = options.resource;
  target.engine = "redis";
  const Json& primary = nodeGroups[0].value("PrimaryEndpoint", Json::object());
  target.host = primary.value("Address", "");
  target.port = primary.value("Port", 0);
  for (const auto& member : nodeGroups[0].value("NodeGroupMembers", Json::array())) {
    if (member.value("CurrentRole", "") != "primary") continue;
    target.writerInstance = member.value("CacheClusterId", "");
    target.zone = member.value("PreferredAvailabilityZone", "");
  }
  target.multiAz = enabled(group.value("AutomaticFailover", Json("disabled")));
  target.user = options.dbUser;
  target.password = options.dbPassword;
  if (target.host.empty() || target.port == 0) {
    return options.resource + " has no primary endpoint yet (is it available?)";
  }
  if (enabled(group.value("AuthTokenEnabled", Json(false))) && target.password.empty()) {
    return "the group requires AUTH: give its token as --db-password (or KURA_DB_PASSWORD)";
  }
  return target;
}

std::variant<DatabaseTarget, std::string> resolveDrillTarget(client::AwsClient& client, const DrillOptions& options) {
  auto database = resolveDatabase(client, options);
  const auto* problem = std::get_if<std::string>(&database);
  if (problem == nullptr || problem->rfind("no DB instance or cluster ", 0) != 0) return database;
  return resolveReplicationGroup(client, options);
}

}  // namespace kura::drill
