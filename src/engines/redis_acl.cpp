#include "engines/redis_acl.h"

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/key_file.h"

namespace kura::engines {
namespace {

// What a client may run: everything, less what ElastiCache keeps to itself.
// Not `-@dangerous`: KEYS, FLUSHALL, MONITOR, CLIENT and the like stay, as on
// ElastiCache.
constexpr const char* kClientRules =
    "~* &* +@all -config -debug -module -save -bgsave -bgrewriteaof -shutdown -replicaof -slaveof -sync -psync "
    "-replconf -migrate -failover -acl +acl|whoami +acl|cat +acl|genpass +acl|help -cluster|addslots "
    "-cluster|addslotsrange -cluster|delslots -cluster|delslotsrange -cluster|failover -cluster|forget "
    "-cluster|meet -cluster|replicate -cluster|reset -cluster|saveconfig -cluster|setslot -cluster|flushslots "
    "-cluster|bumpepoch -cluster|set-config-epoch";
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

std::string redisAclSettings(const RedisCredentials& credentials) {
  return fmt::format(
      "user {}\nuser {}\nuser default reset on nopass {}\n"
      "masteruser {}\nmasterauth {}\n"
      // Already Redis 7's defaults; said here so that no other setting
      // brings them back, for Kura's user too.
      "enable-debug-command no\nenable-module-command no\nenable-protected-configs no\n",
      adminRule(credentials), replicationRule(credentials), kClientRules, kRedisReplicationUser,
      credentials.replication);
}

std::string redisAclCommands(const RedisCredentials& credentials) {
  return fmt::format(
      "ACL SETUSER {}\nACL SETUSER {}\nCONFIG SET masteruser {}\nCONFIG SET masterauth {}\n"
      "ACL SETUSER default reset on nopass {}\n",
      adminRule(credentials), replicationRule(credentials), kRedisReplicationUser, credentials.replication,
      kClientRules);
}

}  // namespace kura::engines
