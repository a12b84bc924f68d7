// The security policy other services ask, over groups made through the EC2
// API's own handlers on a real catalog.
#include <gtest/gtest.h>

#include "../catalog/catalog_test_support.h"
#include "catalog/catalog.h"
#include "services/ec2/cidr.h"
#include "services/ec2/ec2_api.h"
#include "services/ec2/security_policy.h"

namespace kura::ec2 {
namespace {

IpAddress address(const std::string& text) {
  auto parsed = parseIpAddress(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(IpAddress{});
}

class ec2SecurityPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = kura::testing::freshTestDir("ec2");
    catalog_ = std::make_unique<Catalog>(dir_);
    api_ = std::make_unique<Ec2Api>(*catalog_);
    policy_ = makeCatalogSecurityPolicy(*catalog_);
    context_.accountId = "111122223333";
    context_.region = "ap-northeast-1";
    api_->ensureDefaultVpc(context_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string makeGroup(const std::string& name) {
    auto created = api_->createSecurityGroup(context_, {{"GroupName", name}, {"Description", name}});
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? (*created)["GroupId"].get<std::string>() : "";
  }
  void allow(const std::string& groupId, Json permission) {
    auto done = api_->authorize(context_, {{"GroupId", groupId}, {"IpPermissions", Json::array({permission})}}, false);
    ASSERT_TRUE(done.ok()) << done.error().message;
  }
  bool admits(const std::vector<std::string>& groups, const std::string& from, int port,
              std::vector<std::string> sourceGroups = {}) {
    return policy_->admitsTcp(context_.accountId, context_.region, groups, {address(from), std::move(sourceGroups)},
                              port);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Ec2Api> api_;
  SecurityPolicyPtr policy_;
  RequestContext context_;
};

TEST_F(ec2SecurityPolicy, CidrRulesAdmitTheirAddressesOnTheirPorts) {
  std::string db = makeGroup("db");
  allow(db, {{"IpProtocol", "tcp"}, {"FromPort", 5432}, {"ToPort", 5432}, {"IpRanges", {{{"CidrIp", "10.1.0.0/16"}}}}});
  EXPECT_TRUE(admits({db}, "10.1.2.3", 5432));
  EXPECT_FALSE(admits({db}, "10.1.2.3", 5433));
  EXPECT_FALSE(admits({db}, "10.2.0.1", 5432));
  EXPECT_FALSE(admits({db}, "127.0.0.1", 5432));
  // An IPv4-mapped IPv6 source is matched as the IPv4 it carries.
  EXPECT_TRUE(admits({db}, "::ffff:10.1.9.9", 5432));
}

TEST_F(ec2SecurityPolicy, PortRangesAllTrafficAndIpv6) {
  std::string db = makeGroup("db");
  allow(db, {{"IpProtocol", "tcp"}, {"FromPort", 3300}, {"ToPort", 3310}, {"IpRanges", {{{"CidrIp", "127.0.0.0/8"}}}}});
  allow(db, {{"IpProtocol", "-1"}, {"Ipv6Ranges", {{{"CidrIpv6", "2001:db8::/32"}}}}});
  allow(db, {{"IpProtocol", "udp"}, {"FromPort", 53}, {"ToPort", 53}, {"IpRanges", {{{"CidrIp", "0.0.0.0/0"}}}}});
  EXPECT_TRUE(admits({db}, "127.0.0.1", 3306));
  EXPECT_FALSE(admits({db}, "127.0.0.1", 3311));
  EXPECT_TRUE(admits({db}, "2001:db8:1::5", 1));
  EXPECT_FALSE(admits({db}, "2001:db9::5", 1));
  EXPECT_FALSE(admits({db}, "8.8.8.8", 53));  // a UDP rule admits no TCP connection
}

TEST_F(ec2SecurityPolicy, GroupRulesAdmitMembersOfTheReferencedGroupOnly) {
  std::string app = makeGroup("app");
  std::string db = makeGroup("db");
  allow(db, {{"IpProtocol", "tcp"}, {"FromPort", 5432}, {"ToPort", 5432}, {"UserIdGroupPairs", {{{"GroupId", app}}}}});
  EXPECT_TRUE(admits({db}, "127.0.0.1", 5432, {app}));
  EXPECT_FALSE(admits({db}, "127.0.0.1", 5432));        // a loopback client of no known resource
  EXPECT_FALSE(admits({db}, "127.0.0.1", 5432, {db}));  // not a member of app
}

TEST_F(ec2SecurityPolicy, EgressRulesAndUnknownGroupsAdmitNothing) {
  std::string db = makeGroup("db");  // only the default egress rule to 0.0.0.0/0
  EXPECT_FALSE(admits({db}, "10.0.0.1", 5432));
  EXPECT_FALSE(admits({"sg-0123456789abcdef0"}, "10.0.0.1", 5432));
  EXPECT_FALSE(admits({}, "10.0.0.1", 5432));
}

TEST_F(ec2SecurityPolicy, AnyOfSeveralGroupsMayAdmit) {
  std::string a = makeGroup("a");
  std::string b = makeGroup("b");
  allow(b, {{"IpProtocol", "tcp"}, {"FromPort", 6379}, {"ToPort", 6379}, {"IpRanges", {{{"CidrIp", "10.0.0.0/8"}}}}});
  EXPECT_TRUE(admits({a, b}, "10.0.0.1", 6379));
  EXPECT_FALSE(admits({a}, "10.0.0.1", 6379));
}

TEST_F(ec2SecurityPolicy, GroupsExistIsPerAccountAndRegion) {
  std::string db = makeGroup("db");
  EXPECT_TRUE(policy_->groupsExist(context_.accountId, context_.region, {db}));
  EXPECT_TRUE(policy_->groupsExist(context_.accountId, context_.region, {}));
  EXPECT_FALSE(policy_->groupsExist(context_.accountId, "us-east-1", {db}));
  EXPECT_FALSE(policy_->groupsExist("999999999999", context_.region, {db}));
  EXPECT_EQ(policy_->missingGroups(context_.accountId, context_.region, {db, "sg-0000000000000000a"}),
            std::vector<std::string>{"sg-0000000000000000a"});
}

TEST_F(ec2SecurityPolicy, RevokedRulesNoLongerAdmit) {
  std::string db = makeGroup("db");
  Json permission = {{"IpProtocol", "tcp"}, {"FromPort", 5432}, {"ToPort", 5432},
                     {"IpRanges", {{{"CidrIp", "10.0.0.0/8"}}}}};
  allow(db, permission);
  ASSERT_TRUE(admits({db}, "10.0.0.1", 5432));
  auto revoked = api_->revoke(context_, {{"GroupId", db}, {"IpPermissions", Json::array({permission})}}, false);
  ASSERT_TRUE(revoked.ok());
  EXPECT_FALSE(admits({db}, "10.0.0.1", 5432));
}

TEST(ec2Cidr, ParsesMatchesAndCompares) {
  auto block = parseCidr("172.31.0.0/16");
  ASSERT_TRUE(block);
  EXPECT_TRUE(block->canonical());
  EXPECT_EQ(block->text(), "172.31.0.0/16");
  EXPECT_EQ(block->size(), 65536u);
  EXPECT_TRUE(block->covers(*parseCidr("172.31.16.0/20")));
  EXPECT_FALSE(block->covers(*parseCidr("172.0.0.0/8")));
  EXPECT_TRUE(parseCidr("172.0.0.0/8")->overlaps(*block));
  EXPECT_FALSE(parseCidr("172.31.0.0/20")->overlaps(*parseCidr("172.31.16.0/20")));
  EXPECT_FALSE(parseCidr("10.0.0.1/8")->canonical());
  EXPECT_TRUE(parseCidr("0.0.0.0/0")->contains(*parseIpAddress("203.0.113.9")));
  EXPECT_FALSE(parseCidr("0.0.0.0/0")->contains(*parseIpAddress("2001:db8::1")));
  EXPECT_TRUE(parseCidr("::/0")->contains(*parseIpAddress("2001:db8::1")));
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0/8", "10.0.0.0/-1", "10.0.0.0/8x", "::/129", "/8", "",
                           "10.0.0.0/016", "010.0.0.0/8", "10.0.0.0/+8", "10.0.0.0/", "10.0.0.0/99999999999999999999",
                           "fe80::1%eth0/64", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(parseCidr(bad)) << bad;
  }
}

}  // namespace
}  // namespace kura::ec2
