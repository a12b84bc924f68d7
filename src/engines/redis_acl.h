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
#include <string_view>
#include <vector>

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
// The rules that take ElastiCache's restricted commands away; they follow
// every client user's own, so that no access string (`+@all` included)
// gives them back.
const std::string& redisRestrictedRules();
// Whether an access string must not name `command` ("config", "acl|setuser").
bool redisCommandRestricted(std::string_view command);
// A client user, as `user` in redis.conf and ACL SETUSER take it: its name,
// its passwords as SHA-256 hashes (hex; none: no password), its access
// rules (redisAccessRules), then the restricted commands taken away.
std::string redisClientUserRule(const std::string& name, const std::vector<std::string>& passwordHashes,
                                const std::string& accessRules);
// The `default` user of a node without user groups: every command clients
// may run, with the AUTH token's hashes (none: no password).
std::string redisDefaultUserRule(const std::vector<std::string>& passwordHashes);
// The redis.conf lines: Kura's users, the clients' (redisClientUserRule
// lines; none: the default user without password), how a replica signs in
// to its primary, and the commands no user may run.
std::string redisAclSettings(const RedisCredentials& credentials, const std::vector<std::string>& clientUsers);
// The same users set on a running server (one started by an earlier Kura,
// whose default user may still do everything), as redis-cli input: one
// command a line, the default user's rights taken last.
std::string redisAclCommands(const RedisCredentials& credentials);

}  // namespace kura::engines
