#pragma once
// Who may do what on a Redis node, as on ElastiCache: clients (Redis's
// `default` user) run every command but those ElastiCache keeps to itself
// (its "Restricted commands": CONFIG, DEBUG, SAVE, BGSAVE, SHUTDOWN,
// REPLICAOF, SYNC, MIGRATE, ...; here MODULE, PSYNC, FAILOVER, the ACL
// setters and CLUSTER's slot commands too). Kura runs those as its own user;
// replicas fetch their primary's stream as a user that may do nothing else.
// Redis 7 ACLs do it all: no command is renamed.
//
// The two passwords derive from a key in Kura's keys/ (mode 0600, Kura's
// own): the engine user sees only the admin password's hash (redis.conf),
// and the replication password, which a replica needs to follow a primary.
#include <filesystem>
#include <string>

#include "common/api_error.h"

namespace kura::engines {

inline constexpr const char* kRedisAdminUser = "kura-admin";
inline constexpr const char* kRedisReplicationUser = "kura-replication";

struct RedisCredentials {
  std::string admin;        // kRedisAdminUser's password
  std::string replication;  // kRedisReplicationUser's password
};

// From <dataDir>/keys/redis-users.key, created the first time.
Result<RedisCredentials> loadRedisCredentials(const std::filesystem::path& dataDir);
// The redis.conf lines: the three users, how a replica signs in to its
// primary, and the commands no user may run.
std::string redisAclSettings(const RedisCredentials& credentials);
// The same users set on a running server (one started by an earlier Kura,
// whose default user may still do everything), as redis-cli input: one
// command a line, the default user's rights taken last.
std::string redisAclCommands(const RedisCredentials& credentials);

}  // namespace kura::engines
