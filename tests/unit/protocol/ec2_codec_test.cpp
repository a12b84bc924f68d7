#include <gtest/gtest.h>

#include "protocol/form_decoding.h"
#include "protocol/model_registry.h"
#include "protocol/query_decoder.h"
#include "protocol/query_encoder.h"

namespace kura {
namespace {

using Json = nlohmann::json;

const ServiceModel& ec2() { return *ModelRegistry::embedded().bySigningName("ec2"); }

Json decode(const std::string& operation, const std::string& body) {
  auto fields = parseForm(body);
  EXPECT_TRUE(fields.has_value());
  auto value = decodeEc2Input(ec2().findOperation(operation)->input, *fields);
  EXPECT_TRUE(value.ok()) << (value.ok() ? "" : value.error().message);
  return value.ok() ? *value : Json();
}

TEST(ec2Protocol, ModelIsTheEc2Dialect) {
  EXPECT_EQ(ec2().protocol(), Protocol::Ec2);
  EXPECT_EQ(ModelRegistry::embedded().byApiVersion("2016-11-15"), &ec2());
}

TEST(ec2Protocol, ListsAreFlattenedAndNamedByLocationName) {
  Json in = decode("DescribeVpcs", "Action=DescribeVpcs&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1"
                                   "&Filter.1.Value.2=vpc-2&Filter.2.Name=tag%3AName&Filter.2.Value.1=app"
                                   "&VpcId.1=vpc-3&DryRun=false");
  ASSERT_EQ(in["Filters"].size(), 2u);
  EXPECT_EQ(in["Filters"][0]["Name"], "vpc-id");
  EXPECT_EQ(in["Filters"][0]["Values"], Json::array({"vpc-1", "vpc-2"}));
  EXPECT_EQ(in["Filters"][1]["Name"], "tag:Name");
  EXPECT_EQ(in["VpcIds"], Json::array({"vpc-3"}));
  EXPECT_EQ(in["DryRun"], false);
}

TEST(ec2Protocol, NestedMembersTakeTheirLocationNameCapitalised) {
  // IpRanges has locationName ipRanges, UserIdGroupPairs has groups.
  Json in = decode("AuthorizeSecurityGroupIngress",
                   "Action=AuthorizeSecurityGroupIngress&GroupId=sg-1&IpPermissions.1.IpProtocol=tcp"
                   "&IpPermissions.1.FromPort=5432&IpPermissions.1.ToPort=5433"
                   "&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0%2F8&IpPermissions.1.Groups.1.GroupId=sg-2");
  const Json& permission = in["IpPermissions"][0];
  EXPECT_EQ(permission["FromPort"], 5432);
  EXPECT_EQ(permission["IpRanges"][0]["CidrIp"], "10.0.0.0/8");
  EXPECT_EQ(permission["UserIdGroupPairs"][0]["GroupId"], "sg-2");
}

TEST(ec2Protocol, ResponsesHaveNoResultWrapperAndErrorsTheirOwnShape) {
  const Operation* op = ec2().findOperation("CreateSecurityGroup");
  std::string xml = encodeEc2Response(ec2(), *op, Json{{"GroupId", "sg-1"}}, "req-1");
  EXPECT_NE(xml.find(R"(<CreateSecurityGroupResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">)"
                     "<requestId>req-1</requestId><groupId>sg-1</groupId></CreateSecurityGroupResponse>"),
            std::string::npos)
      << xml;
  std::string error = encodeEc2Error(ApiError::sender("InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist"),
                                     "req-2");
  EXPECT_NE(error.find("<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID "
                       "&apos;vpc-1&apos; does not exist</Message></Error></Errors><RequestID>req-2</RequestID>"
                       "</Response>"),
            std::string::npos)
      << error;
}

TEST(ec2Protocol, ListsInResponsesAreItems) {
  const Operation* op = ec2().findOperation("DescribeVpcs");
  std::string xml = encodeEc2Response(ec2(), *op, Json{{"Vpcs", Json::array({{{"VpcId", "vpc-1"}}})}}, "r");
  EXPECT_NE(xml.find("<vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet>"), std::string::npos) << xml;
}

}  // namespace
}  // namespace kura
