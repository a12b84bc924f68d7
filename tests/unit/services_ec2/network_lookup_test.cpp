// What RDS and ElastiCache ask of EC2's records (network_lookup.h), over a
// default VPC and a VPC made through the EC2 API's own handlers on a real
// catalog.
#include <gtest/gtest.h>

#include "../catalog/catalog_test_support.h"
#include "catalog/catalog.h"
#include "services/ec2/ec2_api.h"
#include "services/ec2/network_lookup.h"

namespace kura::ec2 {
namespace {

class ec2NetworkLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = kura::testing::freshTestDir("ec2-lookup");
    catalog_ = std::make_unique<Catalog>(dir_);
    api_ = std::make_unique<Ec2Api>(*catalog_);
    context_.accountId = "111122223333";
    context_.region = "ap-northeast-1";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string makeVpc(const std::string& cidr) {
    auto made = api_->createVpc(context_, {{"CidrBlock", cidr}});
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    return made.ok() ? (*made)["Vpc"]["VpcId"].get<std::string>() : "";
  }
  std::string makeSubnet(const std::string& vpcId, const std::string& cidr, const std::string& zone) {
    auto made = api_->createSubnet(context_, {{"VpcId", vpcId}, {"CidrBlock", cidr}, {"AvailabilityZone", zone}});
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    return made.ok() ? (*made)["Subnet"]["SubnetId"].get<std::string>() : "";
  }
  Resource record(const std::string& kind, const std::string& name, Json spec,
                  const std::string& status = "available") {
    Resource resource;
    resource.accountId = context_.accountId;
    resource.region = context_.region;
    resource.service = "test";
    resource.kind = kind;
    resource.name = name;
    resource.arn = "arn:aws:test:" + context_.region + ":" + context_.accountId + ":" + kind + ":" + name;
    resource.status = status;
    resource.goal = status;
    resource.spec = std::move(spec);
    auto created = catalog_->createResource(resource);
    EXPECT_TRUE(created.ok());
    return created.ok() ? *created : resource;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Ec2Api> api_;
  RequestContext context_;
};

TEST_F(ec2NetworkLookup, TheDefaultVpcIsMadeOnceAtTheFirstAsk) {
  std::string vpcId = defaultVpcIdOf(*catalog_, context_);
  ASSERT_FALSE(vpcId.empty());
  EXPECT_EQ(defaultVpcIdOf(*catalog_, context_), vpcId);
  std::vector<Resource> subnets = subnetsOfVpc(*catalog_, context_, vpcId);
  ASSERT_EQ(subnets.size(), 3u);
  EXPECT_EQ(zonesOfSubnets(subnets),
            (std::vector<std::string>{"ap-northeast-1a", "ap-northeast-1b", "ap-northeast-1c"}));
  std::string group = defaultGroupOf(*catalog_, context_, vpcId);
  EXPECT_EQ(group.rfind("sg-", 0), 0u);
  EXPECT_EQ(vpcOfGroup(*catalog_, context_, group), vpcId);
  EXPECT_EQ(vpcOfGroup(*catalog_, context_, "sg-0123456789abcdef0"), "");
}

TEST_F(ec2NetworkLookup, ADeletedDefaultVpcIsNotMadeAgain) {
  std::string vpcId = defaultVpcIdOf(*catalog_, context_);
  for (const Resource& subnet : subnetsOfVpc(*catalog_, context_, vpcId)) {
    ASSERT_TRUE(api_->deleteSubnet(context_, {{"SubnetId", subnet.name}}).ok());
  }
  ASSERT_TRUE(api_->deleteVpc(context_, {{"VpcId", vpcId}}).ok());
  EXPECT_EQ(defaultVpcIdOf(*catalog_, context_), "");
}

TEST_F(ec2NetworkLookup, SelectsSubnetsOfOneVpcAndSaysWhatIsWrong) {
  std::string vpc = makeVpc("10.20.0.0/16");
  std::string a = makeSubnet(vpc, "10.20.0.0/20", "ap-northeast-1a");
  std::string c = makeSubnet(vpc, "10.20.16.0/20", "ap-northeast-1c");
  SubnetSelection both = selectSubnets(*catalog_, context_, {c, a, c});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both.vpcId, vpc);
  EXPECT_EQ(both.subnets.size(), 2u);  // a duplicate counts once
  EXPECT_EQ(zonesOfSubnets(both.subnets), (std::vector<std::string>{"ap-northeast-1a", "ap-northeast-1c"}));

  SubnetSelection unknown = selectSubnets(*catalog_, context_, {a, "subnet-0123456789abcdef0"});
  EXPECT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.unknown, "subnet-0123456789abcdef0");

  std::string other = subnetsOfVpc(*catalog_, context_, defaultVpcIdOf(*catalog_, context_)).front().name;
  SubnetSelection mixed = selectSubnets(*catalog_, context_, {a, other});
  EXPECT_FALSE(mixed.ok());
  EXPECT_TRUE(mixed.mixedVpcs);
}

TEST_F(ec2NetworkLookup, FindsTheDatabaseBehindAGroup) {
  std::string group = defaultGroupOf(*catalog_, context_, defaultVpcIdOf(*catalog_, context_));
  EXPECT_EQ(databaseUsingGroup(*catalog_, context_, group), "");
  record("db-instance", "gone", {{"VpcSecurityGroupIds", Json::array({group})}}, "deleted");
  EXPECT_EQ(databaseUsingGroup(*catalog_, context_, group), "");  // a deleted one keeps nothing
  record("replication-group", "sessions", {{"SecurityGroupIds", Json::array({"sg-1", group})}});
  EXPECT_EQ(databaseUsingGroup(*catalog_, context_, group), "sessions");
  EXPECT_EQ(databaseUsingGroup(*catalog_, context_, "sg-2"), "");
  RequestContext elsewhere = context_;
  elsewhere.region = "us-east-1";
  EXPECT_EQ(databaseUsingGroup(*catalog_, elsewhere, group), "");
}

TEST_F(ec2NetworkLookup, FindsTheDatabaseWithANodeInASubnet) {
  std::string vpc = makeVpc("10.30.0.0/16");
  std::string a = makeSubnet(vpc, "10.30.0.0/20", "ap-northeast-1a");
  std::string b = makeSubnet(vpc, "10.30.16.0/20", "ap-northeast-1b");
  auto subnet = [&](const std::string& id) {
    return *catalog_->getResource(context_.accountId, context_.region, "subnet", id);
  };
  record("db-subnet-group", "app", {{"VpcId", vpc}, {"SubnetIds", Json::array({a, b})}});
  EXPECT_EQ(databaseInSubnet(*catalog_, context_, subnet(a)), "");  // a group alone keeps nothing
  record("db-instance", "orders", {{"DBSubnetGroupName", "app"}, {"AvailabilityZone", "ap-northeast-1b"}});
  EXPECT_EQ(databaseInSubnet(*catalog_, context_, subnet(a)), "");
  EXPECT_EQ(databaseInSubnet(*catalog_, context_, subnet(b)), "orders");
  // A replication group member in the default cache subnet group's zone a.
  std::string defaultA = subnetsOfVpc(*catalog_, context_, defaultVpcIdOf(*catalog_, context_)).front().name;
  EXPECT_EQ(databaseInSubnet(*catalog_, context_, subnet(defaultA)), "");
  Resource group = record("replication-group", "sessions", {{"CacheSubnetGroupName", "default"}});
  group.state = {{"Members", {{"sessions-001", {{"AvailabilityZone", "ap-northeast-1a"}}}}}};
  ASSERT_TRUE(catalog_->updateResource(group).ok());
  EXPECT_EQ(databaseInSubnet(*catalog_, context_, subnet(defaultA)), "sessions");
}

}  // namespace
}  // namespace kura::ec2
