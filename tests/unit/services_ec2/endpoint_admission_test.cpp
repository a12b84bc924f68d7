// Security groups at the engines' endpoints, over groups, rules and
// interfaces made through the EC2 API's own handlers and a database
// resource recorded as RDS and ElastiCache record theirs.
#include <gtest/gtest.h>

#include "../catalog/catalog_test_support.h"
#include "catalog/catalog.h"
#include "services/ec2/cidr.h"
#include "services/ec2/ec2_api.h"
#include "services/ec2/endpoint_admission.h"

namespace kura::ec2 {
namespace {

constexpr int kPort = 4510;

IpAddress address(const std::string& text) {
  auto parsed = parseIpAddress(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(IpAddress{});
}

class ec2EndpointAdmission : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = kura::testing::freshTestDir("ec2-admission");
    catalog_ = std::make_unique<Catalog>(dir_);
    api_ = std::make_unique<Ec2Api>(*catalog_);
    admission_ = std::make_unique<EndpointAdmission>(*catalog_);
    context_.accountId = "111122223333";
    context_.region = "ap-northeast-1";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A database resource as its service records it, with `groups` if given.
  std::string makeDatabase(const std::string& service, const std::string& name, const Json& groups = nullptr) {
    Resource record;
    record.accountId = context_.accountId;
    record.region = context_.region;
    record.service = service;
    record.kind = service == "rds" ? "db-instance" : "cache-cluster";
    record.name = name;
    record.arn = "arn:aws:" + service + ":" + context_.region + ":" + context_.accountId + ":" + name;
    record.status = record.goal = "available";
    record.spec = Json::object();
    if (!groups.is_null()) record.spec[service == "rds" ? "VpcSecurityGroupIds" : "SecurityGroupIds"] = groups;
    auto created = catalog_->createResource(record);
    EXPECT_TRUE(created.ok());
    return record.arn;
  }
  std::string makeGroup(const std::string& name) {
    auto created = api_->createSecurityGroup(context_, {{"GroupName", name}, {"Description", name}});
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? (*created)["GroupId"].get<std::string>() : "";
  }
  std::string defaultGroup() {
    auto groups = api_->describeSecurityGroups(
        context_, {{"Filters", Json::array({{{"Name", "group-name"}, {"Values", {"default"}}}})}});
    EXPECT_TRUE(groups.ok());
    return (*groups)["SecurityGroups"][0]["GroupId"];
  }
  Json cidrRule(const std::string& group, const std::string& cidr, int port) {
    return {{"GroupId", group},
            {"IpPermissions",
             Json::array({{{"IpProtocol", "tcp"}, {"FromPort", port}, {"ToPort", port},
                           {"IpRanges", Json::array({{{"CidrIp", cidr}}})}}})}};
  }
  bool admits(const std::string& endpoint, const std::string& source, int port = kPort) {
    return admission_->admits(endpoint, address(source), port);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Ec2Api> api_;
  std::unique_ptr<EndpointAdmission> admission_;
  RequestContext context_;
};

TEST_F(ec2EndpointAdmission, WithoutAnyNetworkEveryConnectionPasses) {
  std::string db = makeDatabase("rds", "db:legacy");
  EXPECT_TRUE(admits(db, "127.0.0.1"));
  EXPECT_TRUE(admits(db, "10.1.2.3"));
  EXPECT_FALSE(admits("arn:aws:rds:ap-northeast-1:111122223333:db:gone", "127.0.0.1"));
}

TEST_F(ec2EndpointAdmission, TheDefaultGroupAdmitsEveryAddressNoInterfaceNames) {
  api_->ensureDefaultVpc(context_);
  std::string db = makeDatabase("rds", "db:plain");  // recorded without groups: the default one
  std::string named = makeDatabase("elasticache", "cluster:named", Json::array({defaultGroup()}));
  for (const std::string& endpoint : {db, named, named + "#0001"}) {
    EXPECT_TRUE(admits(endpoint, "127.0.0.1")) << endpoint;
    EXPECT_TRUE(admits(endpoint, "::ffff:127.0.0.9")) << endpoint;
  }
}

TEST_F(ec2EndpointAdmission, ARuleAppliesToTheNextConnection) {
  api_->ensureDefaultVpc(context_);
  std::string group = makeGroup("db");
  std::string db = makeDatabase("rds", "db:guarded", Json::array({group}));
  EXPECT_FALSE(admits(db, "127.0.0.2"));
  ASSERT_TRUE(api_->authorize(context_, cidrRule(group, "127.0.0.2/32", kPort), false).ok());
  EXPECT_TRUE(admits(db, "127.0.0.2"));
  EXPECT_FALSE(admits(db, "127.0.0.3"));
  EXPECT_FALSE(admits(db, "127.0.0.2", kPort + 1));  // another port than the rule's
  ASSERT_TRUE(api_->revoke(context_, cidrRule(group, "127.0.0.2/32", kPort), false).ok());
  EXPECT_FALSE(admits(db, "127.0.0.2"));
}

TEST_F(ec2EndpointAdmission, AGroupRuleAdmitsTheAddressesOfItsInterfaces) {
  api_->ensureDefaultVpc(context_);
  std::string app = makeGroup("app");
  std::string group = makeGroup("db");
  std::string db = makeDatabase("rds", "db:members", Json::array({group}));
  ASSERT_TRUE(api_->authorize(context_,
                              {{"GroupId", group},
                               {"IpPermissions", Json::array({{{"IpProtocol", "-1"},
                                                              {"UserIdGroupPairs", Json::array({{{"GroupId", app}}})}}})}},
                              false)
                  .ok());
  auto subnets = api_->describeSubnets(context_, Json::object());
  ASSERT_TRUE(subnets.ok());
  auto eni = api_->createNetworkInterface(context_, {{"SubnetId", (*subnets)["Subnets"][0]["SubnetId"]},
                                                     {"PrivateIpAddress", "127.0.0.5"},
                                                     {"Groups", Json::array({app})}});
  ASSERT_TRUE(eni.ok());
  EXPECT_TRUE(admits(db, "127.0.0.5"));
  EXPECT_FALSE(admits(db, "127.0.0.6"));
}

TEST_F(ec2EndpointAdmission, AnAuroraInstanceIsReachedThroughItsClustersGroups) {
  api_->ensureDefaultVpc(context_);
  std::string group = makeGroup("aurora");
  ASSERT_TRUE(api_->authorize(context_, cidrRule(group, "127.0.0.2/32", kPort), false).ok());
  std::string cluster = makeDatabase("rds", "cluster:c", Json::array({group}));
  Resource member;
  member.accountId = context_.accountId;
  member.region = context_.region;
  member.service = "rds";
  member.kind = "db-instance";
  member.name = "c-1";
  member.arn = "arn:aws:rds:ap-northeast-1:111122223333:db:c-1";
  member.status = member.goal = "available";
  member.spec = {{"ClusterArn", cluster}, {"VpcSecurityGroupIds", Json::array({defaultGroup()})}};
  ASSERT_TRUE(catalog_->createResource(member).ok());
  EXPECT_TRUE(admits(member.arn, "127.0.0.2"));
  EXPECT_FALSE(admits(member.arn, "127.0.0.1"));  // the default group is the instance's record only
  EXPECT_TRUE(admits(cluster + "#reader", "127.0.0.2"));
}

}  // namespace
}  // namespace kura::ec2
