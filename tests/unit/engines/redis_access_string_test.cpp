#include "engines/redis_access_string.h"

#include <gtest/gtest.h>

namespace kura::engines {
namespace {

std::string rulesOf(const std::string& accessString) {
  auto rules = redisAccessRules(accessString);
  EXPECT_TRUE(rules.ok()) << accessString << ": " << (rules.ok() ? "" : rules.error().message);
  return rules.ok() ? *rules : "";
}

void expectRefused(const std::string& accessString) {
  auto rules = redisAccessRules(accessString);
  ASSERT_FALSE(rules.ok()) << accessString << " gave " << *rules;
  EXPECT_EQ(rules.error().code, "InvalidParameterValue");
}

TEST(RedisAccessStringTest, ElastiCachesDefaultUserReadsAsItsRules) {
  EXPECT_EQ(rulesOf("on ~* +@all"), "allchannels on ~* +@all");
}

TEST(RedisAccessStringTest, AUserIsOffUnlessItsStringSaysOn) {
  EXPECT_EQ(rulesOf("~* +@read"), "off allchannels ~* +@read");
  EXPECT_EQ(rulesOf("off ~* +@all"), "allchannels off ~* +@all");
}

TEST(RedisAccessStringTest, KeysChannelsCommandsAndCategoriesPassAsGiven) {
  EXPECT_EQ(rulesOf("on ~app::* %R~ro:* %W~wo:* %RW~rw:* &news -@all +@read +GET +client|list -flushall"),
            "on ~app::* %R~ro:* %W~wo:* %RW~rw:* &news -@all +@read +get +client|list -flushall");
  EXPECT_EQ(rulesOf("on allkeys resetchannels allcommands"), "on allkeys resetchannels allcommands");
  EXPECT_EQ(rulesOf("on  ~a\t+get "), "allchannels on ~a +get");
}

TEST(RedisAccessStringTest, PasswordsResetAndSelectorsAreRefused) {
  for (const char* refused : {"on >secret ~* +@all", "on <secret ~* +@all", "on #0123 ~* +@all", "on !0123 ~* +@all",
                              "on nopass ~* +@all", "on resetpass ~* +@all", "reset on ~* +@all",
                              "on ~* +@all (~x +get)", "on ~* +@all clearselectors"}) {
    expectRefused(refused);
  }
}

TEST(RedisAccessStringTest, UnknownCommandsCategoriesAndTokensAreRefused) {
  for (const char* refused : {"on ~* +nosuchcommand", "on ~* +@nosuchcategory", "on ~* +client|nosuch",
                              "on ~* sanitize-payload", "on ~* +", "on ~", "on &", "on ~\"quoted\" +get",
                              "on ~a\\b +get", "", "   "}) {
    expectRefused(refused);
  }
}

TEST(RedisAccessStringTest, RestrictedCommandsCannotBeGrantedButMayBeDenied) {
  for (const char* refused : {"on ~* +config", "on ~* +config|get", "on ~* +acl|setuser", "on ~* +shutdown",
                              "on ~* +replicaof", "on ~* +cluster|meet", "on ~* +debug", "on ~* +module"}) {
    expectRefused(refused);
  }
  EXPECT_EQ(rulesOf("on ~* +@all -config +acl|whoami"), "allchannels on ~* +@all -config +acl|whoami");
}

TEST(RedisAccessStringTest, APatternAfterEverythingIsRefusedAsRedisWould) {
  expectRefused("on ~* ~app:* +get");
  expectRefused("on allkeys %R~app:* +get");
  expectRefused("on &* &news +get");
  EXPECT_EQ(rulesOf("on ~app:* ~* +get"), "allchannels on ~app:* ~* +get");
  EXPECT_EQ(rulesOf("on ~* resetkeys ~app:* +get"), "allchannels on ~* resetkeys ~app:* +get");
}

TEST(RedisAccessStringTest, ItsLengthIsBounded) {
  std::string many = "on";
  for (int i = 0; i < 600; ++i) many += " +get";
  expectRefused(many);
  expectRefused("on ~" + std::string(9000, 'a'));
}

}  // namespace
}  // namespace kura::engines
