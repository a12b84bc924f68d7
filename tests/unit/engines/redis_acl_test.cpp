#include "engines/redis_acl.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"

namespace kura::engines {
namespace {

namespace fs = std::filesystem;

class RedisAclTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-redis-acl-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(RedisAclTest, PasswordsComeFromAPrivateKeyAndStayTheSame) {
  auto first = loadRedisCredentials(dir_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->admin.size(), 64u);
  EXPECT_NE(first->admin, first->replication);
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "keys" / "redis-users.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto second = loadRedisCredentials(dir_);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->admin, first->admin);
  EXPECT_EQ(second->replication, first->replication);
}

TEST_F(RedisAclTest, SettingsHoldTheAdminPasswordOnlyAsItsHash) {
  RedisCredentials credentials{"admin-secret", "replication-secret"};
  std::string settings = redisAclSettings(credentials, {});
  EXPECT_EQ(settings.find("admin-secret"), std::string::npos);
  EXPECT_NE(settings.find("user kura-admin reset on #" + sha256Hex("admin-secret") + " ~* &* +@all\n"),
            std::string::npos);
  EXPECT_NE(settings.find("masteruser kura-replication\nmasterauth replication-secret\n"), std::string::npos);
  EXPECT_NE(settings.find("enable-debug-command no\n"), std::string::npos);
  EXPECT_NE(settings.find("enable-module-command no\n"), std::string::npos);
  EXPECT_NE(settings.find("enable-protected-configs no\n"), std::string::npos);
  std::string commands = redisAclCommands(credentials);
  EXPECT_EQ(commands.find("admin-secret"), std::string::npos);
  // The default user's rights are taken last: Kura's own user exists by then.
  EXPECT_LT(commands.find("ACL SETUSER kura-admin"), commands.find("ACL SETUSER default"));
}

TEST_F(RedisAclTest, ClientsLoseElastiCachesRestrictedCommandsOnly) {
  std::string settings = redisAclSettings({"a", "b"}, {});
  size_t at = settings.find("user default reset nopass on ");
  ASSERT_NE(at, std::string::npos);
  std::string rules = settings.substr(at, settings.find('\n', at) - at) + " ";
  for (const char* denied : {"config", "debug", "module", "save", "bgsave", "bgrewriteaof", "shutdown", "replicaof",
                             "slaveof", "sync", "psync", "migrate", "failover", "acl"}) {
    EXPECT_NE(rules.find(std::string(" -") + denied + " "), std::string::npos) << denied;
  }
  EXPECT_NE(rules.find(" +@all "), std::string::npos);
  EXPECT_EQ(rules.find("@dangerous"), std::string::npos);  // KEYS, FLUSHALL stay
  EXPECT_EQ(rules.find("-keys"), std::string::npos);
  EXPECT_EQ(rules.find("-flushall"), std::string::npos);
}

TEST_F(RedisAclTest, ClientUsersReplaceTheOpenDefaultUser) {
  std::string hash = sha256Hex("a-token-of-sixteen");
  std::string settings = redisAclSettings({"a", "b"}, {redisDefaultUserRule({hash})});
  EXPECT_EQ(settings.find("nopass"), std::string::npos);
  EXPECT_NE(settings.find("user default reset #" + hash + " on ~* &* +@all -config"), std::string::npos);
  EXPECT_EQ(settings.find("a-token-of-sixteen"), std::string::npos);
}

TEST_F(RedisAclTest, TheRestrictedCommandsFollowEveryClientUsersOwnRules) {
  std::string rule = redisClientUserRule("app", {}, "on ~* +@all +config|get");
  EXPECT_EQ(rule.rfind("app reset nopass on ~* +@all +config|get -config ", 0), 0u) << rule;
  EXPECT_TRUE(redisCommandRestricted("config"));
  EXPECT_TRUE(redisCommandRestricted("config|get"));
  EXPECT_TRUE(redisCommandRestricted("acl|setuser"));
  EXPECT_TRUE(redisCommandRestricted("cluster|meet"));
  EXPECT_FALSE(redisCommandRestricted("acl|whoami"));
  EXPECT_FALSE(redisCommandRestricted("cluster|info"));
  EXPECT_FALSE(redisCommandRestricted("get"));
  EXPECT_FALSE(redisCommandRestricted("flushall"));
}

}  // namespace
}  // namespace kura::engines
