// Which groups a source address belongs to, over interfaces made through
// the EC2 API's own handlers on a real catalog.
#include <gtest/gtest.h>

#include <algorithm>

#include "../catalog/catalog_test_support.h"
#include "catalog/catalog.h"
#include "services/ec2/cidr.h"
#include "services/ec2/ec2_api.h"
#include "services/ec2/network_members.h"

namespace kura::ec2 {
namespace {

IpAddress address(const std::string& text) {
  auto parsed = parseIpAddress(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(IpAddress{});
}

class ec2NetworkMembers : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = kura::testing::freshTestDir("ec2-members");
    catalog_ = std::make_unique<Catalog>(dir_);
    api_ = std::make_unique<Ec2Api>(*catalog_);
    context_.accountId = "111122223333";
    context_.region = "ap-northeast-1";
    api_->ensureDefaultVpc(context_);
    auto subnets = api_->describeSubnets(
        context_, {{"Filters", Json::array({{{"Name", "cidr-block"}, {"Values", {"172.31.0.0/20"}}}})}});
    ASSERT_TRUE(subnets.ok());
    subnet_ = (*subnets)["Subnets"][0]["SubnetId"];
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string makeGroup(const std::string& name) {
    auto created = api_->createSecurityGroup(context_, {{"GroupName", name}, {"Description", name}});
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? (*created)["GroupId"].get<std::string>() : "";
  }
  std::string makeInterface(const std::string& at, const std::vector<std::string>& groups) {
    Json in = {{"SubnetId", subnet_}, {"PrivateIpAddress", at}};
    if (!groups.empty()) in["Groups"] = groups;
    auto created = api_->createNetworkInterface(context_, in);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? (*created)["NetworkInterface"]["NetworkInterfaceId"].get<std::string>() : "";
  }
  std::vector<std::string> groupsOf(const std::string& source) {
    return groupsOfAddress(*catalog_, context_.accountId, context_.region, address(source));
  }

  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Ec2Api> api_;
  RequestContext context_;
  std::string subnet_;
};

TEST_F(ec2NetworkMembers, ASourceBelongsToTheGroupsOfItsInterface) {
  std::string app = makeGroup("app");
  std::string web = makeGroup("web");
  makeInterface("127.0.0.5", {app, web});
  makeInterface("172.31.0.9", {web});
  EXPECT_EQ(groupsOf("127.0.0.5"), (std::vector<std::string>{app, web}));
  EXPECT_EQ(groupsOf("172.31.0.9"), (std::vector<std::string>{web}));
  EXPECT_TRUE(groupsOf("127.0.0.6").empty());
  EXPECT_TRUE(groupsOf("172.31.0.10").empty());
}

TEST_F(ec2NetworkMembers, AnAddressOfTwoVpcsIsInTheGroupsOfBoth) {
  std::string web = makeGroup("web");
  makeInterface("172.31.0.9", {web});
  auto vpc = api_->createVpc(context_, {{"CidrBlock", "172.31.0.0/16"}});
  ASSERT_TRUE(vpc.ok());
  std::string vpcId = (*vpc)["Vpc"]["VpcId"];
  auto subnet = api_->createSubnet(context_, {{"VpcId", vpcId}, {"CidrBlock", "172.31.0.0/24"}});
  ASSERT_TRUE(subnet.ok());
  auto group = api_->createSecurityGroup(context_, {{"GroupName", "other"}, {"Description", "x"}, {"VpcId", vpcId}});
  ASSERT_TRUE(group.ok());
  std::string other = (*group)["GroupId"];
  auto interface = api_->createNetworkInterface(
      context_, {{"SubnetId", (*subnet)["Subnet"]["SubnetId"]}, {"PrivateIpAddress", "172.31.0.9"}, {"Groups", {other}}});
  ASSERT_TRUE(interface.ok()) << interface.error().message;
  std::vector<std::string> groups = groupsOf("172.31.0.9");
  std::sort(groups.begin(), groups.end());
  std::vector<std::string> both = {web, other};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(groups, both);
}

TEST_F(ec2NetworkMembers, AnIPv4MappedSourceIsItsIPv4Address) {
  std::string app = makeGroup("app");
  makeInterface("127.0.0.5", {app});
  EXPECT_EQ(groupsOf("::ffff:127.0.0.5"), (std::vector<std::string>{app}));
}

TEST_F(ec2NetworkMembers, IPv6LoopbackInAnyOfItsSpellings) {
  std::string app = makeGroup("app");
  makeInterface("0:0:0::1", {app});
  EXPECT_EQ(groupsOf("::1"), (std::vector<std::string>{app}));
  EXPECT_EQ(groupsOf("0::0001"), (std::vector<std::string>{app}));
}

TEST_F(ec2NetworkMembers, AnInterfaceWithoutGroupsIsInItsVpcsDefaultGroup) {
  makeInterface("127.0.0.7", {});
  std::vector<std::string> groups = groupsOf("127.0.0.7");
  ASSERT_EQ(groups.size(), 1u);
  auto described = api_->describeSecurityGroups(context_, {{"GroupIds", groups}});
  ASSERT_TRUE(described.ok());
  EXPECT_EQ((*described)["SecurityGroups"][0]["GroupName"], "default");
}

TEST_F(ec2NetworkMembers, ModifiedAndDeletedInterfacesAreSeenAtOnce) {
  std::string app = makeGroup("app");
  std::string db = makeGroup("db");
  std::string id = makeInterface("127.0.0.8", {app});
  ASSERT_TRUE(api_->modifyNetworkInterfaceAttribute(context_, {{"NetworkInterfaceId", id}, {"Groups", {db}}}).ok());
  EXPECT_EQ(groupsOf("127.0.0.8"), (std::vector<std::string>{db}));
  ASSERT_TRUE(api_->deleteNetworkInterface(context_, {{"NetworkInterfaceId", id}}).ok());
  EXPECT_TRUE(groupsOf("127.0.0.8").empty());
}

TEST_F(ec2NetworkMembers, AnotherAccountOrRegionHasItsOwnInterfaces) {
  std::string app = makeGroup("app");
  makeInterface("127.0.0.9", {app});
  EXPECT_TRUE(groupsOfAddress(*catalog_, "999988887777", context_.region, address("127.0.0.9")).empty());
  EXPECT_TRUE(groupsOfAddress(*catalog_, context_.accountId, "us-east-1", address("127.0.0.9")).empty());
}

}  // namespace
}  // namespace kura::ec2
