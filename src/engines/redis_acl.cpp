#include "engines/redis_acl.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "common/crypto.h"
#include "common/key_file.h"

namespace kura::engines {
namespace {

// What ElastiCache keeps to itself, taken from every client user after its
// own rules. Not `-@dangerous`: KEYS, FLUSHALL, MONITOR, CLIENT and the like
// stay, as on ElastiCache.
constexpr std::array kRestrictedCommands = {"config",  "debug", "module",   "save",     "bgsave",
                                            "bgrewriteaof", "shutdown", "replicaof", "slaveof", "sync",
                                            "psync",   "replconf", "migrate", "failover", "acl"};
// ACL's read-only helpers a client keeps.
constexpr std::array kClientAclSubcommands = {"acl|whoami", "acl|cat", "acl|genpass", "acl|help"};
constexpr std::array kRestrictedClusterSubcommands = {
    "cluster|addslots", "cluster|addslotsrange", "cluster|delslots", "cluster|delslotsrange",
    "cluster|failover", "cluster|forget",        "cluster|meet",     "cluster|replicate",
    "cluster|reset",    "cluster|saveconfig",    "cluster|setslot",  "cluster|flushslots",
    "cluster|bumpepoch", "cluster|set-config-epoch"};

template <size_t N>
bool listed(const std::array<const char*, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string restrictedRules() {
  std::string rules;
  for (const char* command : kRestrictedCommands) rules += std::string(rules.empty() ? "" : " ") + "-" + command;
  for (const char* command : kClientAclSubcommands) rules += std::string(" +") + command;
  for (const char* command : kRestrictedClusterSubcommands) rules += std::string(" -") + command;
  return rules;
}

// A replica's link to its primary: the handshake and the stream, no data commands.
constexpr const char* kReplicationRules = "-@all +psync +replconf +ping";

std::string adminRule(const RedisCredentials& credentials) {
  return fmt::format("{} reset on #{} ~* &* +@all", kRedisAdminUser, sha256Hex(credentials.admin));
}

std::string replicationRule(const RedisCredentials& credentials) {
  return fmt::format("{} reset on #{} {}", kRedisReplicationUser, sha256Hex(credentials.replication),
                     kReplicationRules);
}

}  // namespace

Result<RedisCredentials> loadRedisCredentials(const std::filesystem::path& dataDir) {
  auto key = readOrCreateKeyFile(dataDir / "keys" / "redis-users.key");
  if (!key) return key.error();
  // One key, two passwords that reveal nothing of each other.
  return RedisCredentials{toHex(hmacSha256(*key, kRedisAdminUser)), toHex(hmacSha256(*key, kRedisReplicationUser))};
}

const std::string& redisRestrictedRules() {
  static const std::string rules = restrictedRules();
  return rules;
}

bool redisCommandRestricted(std::string_view command) {
  if (listed(kClientAclSubcommands, command) || listed(kRestrictedClusterSubcommands, command)) {
    return !listed(kClientAclSubcommands, command);
  }
  return listed(kRestrictedCommands, command.substr(0, command.find('|')));
}

std::string redisClientUserRule(const std::string& name, const std::vector<std::string>& passwordHashes,
                                const std::string& accessRules) {
  std::string rule = name + " reset";
  // `reset` leaves the user without password and off: the rules say on.
  for (const std::string& hash : passwordHashes) rule += " #" + hash;
  if (passwordHashes.empty()) rule += " nopass";
  if (!accessRules.empty()) rule += " " + accessRules;
  return rule + " " + redisRestrictedRules();
}

std::string redisDefaultUserRule(const std::vector<std::string>& passwordHashes) {
  return redisClientUserRule("default", passwordHashes, "on ~* &* +@all");
}

std::string redisAclSettings(const RedisCredentials& credentials, const std::vector<std::string>& clientUsers) {
  std::string users;
  for (const std::string& rule : clientUsers) users += "user " + rule + "\n";
  if (clientUsers.empty()) users = "user " + redisDefaultUserRule({}) + "\n";
  return fmt::format(
      "user {}\nuser {}\n{}"
      "masteruser {}\nmasterauth {}\n"
      // Already Redis 7's defaults; said here so that no other setting
      // brings them back, for Kura's user too.
      "enable-debug-command no\nenable-module-command no\nenable-protected-configs no\n",
      adminRule(credentials), replicationRule(credentials), users, kRedisReplicationUser,
      credentials.replication);
}

std::string redisAclCommands(const RedisCredentials& credentials) {
  return fmt::format(
      "ACL SETUSER {}\nACL SETUSER {}\nCONFIG SET masteruser {}\nCONFIG SET masterauth {}\n"
      "ACL SETUSER {}\n",
      adminRule(credentials), replicationRule(credentials), kRedisReplicationUser, credentials.replication,
      redisDefaultUserRule({}));
}

}  // namespace kura::engines
