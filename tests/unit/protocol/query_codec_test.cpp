#include <gtest/gtest.h>

#include "protocol/form_decoding.h"
#include "protocol/model_registry.h"
#include "protocol/query_decoder.h"
#include "protocol/query_encoder.h"

namespace kura {
namespace {

using Json = nlohmann::json;

const ServiceModel& rds() { return *ModelRegistry::embedded().bySigningName("rds"); }

Json decode(const std::string& operation, const std::string& body) {
  auto fields = parseForm(body);
  EXPECT_TRUE(fields.has_value());
  auto value = decodeQueryInput(rds().findOperation(operation)->input, *fields);
  EXPECT_TRUE(value.ok()) << (value.ok() ? "" : value.error().message);
  return value.ok() ? *value : Json();
}

TEST(FormDecoding, DecodesEscapesAndPlus) {
  auto fields = parseForm("A=b%20c&D=e+f&Empty=&Flag");
  ASSERT_TRUE(fields);
  ASSERT_EQ(fields->size(), 4u);
  EXPECT_EQ((*fields)[0].second, "b c");
  EXPECT_EQ((*fields)[1].second, "e f");
  EXPECT_EQ((*fields)[2].second, "");
  EXPECT_EQ((*fields)[3].first, "Flag");
}

TEST(FormDecoding, RejectsBadEscapesAndInvalidUtf8) {
  EXPECT_FALSE(parseForm("A=%zz"));
  EXPECT_FALSE(parseForm("A=%4"));
  EXPECT_FALSE(parseForm("A=%ff%fe"));
  EXPECT_FALSE(parseForm("A=%c0%af"));  // overlong '/'
  EXPECT_TRUE(parseForm("A=%e3%81%82"));
}

TEST(QueryDecoder, TypesScalarsAsTheModelSays) {
  Json input = decode("CreateDBInstance",
                      "Action=CreateDBInstance&DBInstanceIdentifier=app&AllocatedStorage=20&MultiAZ=true&"
                      "Engine=postgres&DBInstanceClass=db.t3.micro");
  EXPECT_EQ(input["DBInstanceIdentifier"], "app");
  EXPECT_EQ(input["AllocatedStorage"], 20);
  EXPECT_EQ(input["MultiAZ"], true);
}

TEST(QueryDecoder, DecodesNestedListsOfStructures) {
  Json input = decode("DescribeDBInstances",
                      "Action=DescribeDBInstances&Filters.Filter.1.Name=engine&Filters.Filter.1.Values.Value.1=postgres&"
                      "Filters.Filter.1.Values.Value.2=mysql&Filters.Filter.2.Name=db-instance-id&"
                      "Filters.Filter.2.Values.Value.1=app&MaxRecords=20");
  ASSERT_EQ(input["Filters"].size(), 2u);
  EXPECT_EQ(input["Filters"][0]["Name"], "engine");
  EXPECT_EQ(input["Filters"][0]["Values"], Json({"postgres", "mysql"}));
  EXPECT_EQ(input["Filters"][1]["Values"][0], "app");
  EXPECT_EQ(input["MaxRecords"], 20);
}

TEST(QueryDecoder, OrdersListIndexesNumerically) {
  Json input = decode("AddTagsToResource",
                      "ResourceName=arn&Tags.Tag.10.Key=k10&Tags.Tag.10.Value=v&Tags.Tag.2.Key=k2&Tags.Tag.2.Value=v");
  EXPECT_EQ(input["Tags"][0]["Key"], "k2");
  EXPECT_EQ(input["Tags"][1]["Key"], "k10");
}

TEST(QueryDecoder, RejectsValuesOfTheWrongType) {
  auto fields = parseForm("DBInstanceIdentifier=a&AllocatedStorage=twenty");
  auto value = decodeQueryInput(rds().findOperation("CreateDBInstance")->input, *fields);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.error().code, "InvalidParameterValue");
  fields = parseForm("DBInstanceIdentifier=a&MultiAZ=yes");
  EXPECT_FALSE(decodeQueryInput(rds().findOperation("CreateDBInstance")->input, *fields).ok());
  fields = parseForm("Filters.Filter.x.Name=a");
  EXPECT_FALSE(decodeQueryInput(rds().findOperation("DescribeDBInstances")->input, *fields).ok());
}

TEST(QueryDecoder, RefusesAParameterTheModelDoesNotHaveRatherThanDroppingIt) {
  auto refused = [](const std::string& body) {
    auto fields = parseForm(body);
    auto value = decodeQueryInput(rds().findOperation("CreateDBInstance")->input, *fields);
    EXPECT_FALSE(value.ok()) << body;
    return value.ok() ? std::string() : value.error().code + ": " + value.error().message;
  };
  EXPECT_EQ(refused("Action=CreateDBInstance&DBInstanceIdentifier=app&EngineLifecycleSupportX=open-source"),
            "InvalidParameterValue: The parameter EngineLifecycleSupportX is not one Kura knows for this operation: "
            "nothing was done.");
  // Within a structure of a list too.
  EXPECT_NE(refused("Action=CreateDBInstance&DBInstanceIdentifier=app&Tags.Tag.1.Key=k&Tags.Tag.1.Colour=red")
                .find("The parameter Tags.Tag.Colour is not one"),
            std::string::npos);
  // Known ones, the Action and the Version pass.
  Json input = decode("CreateDBInstance",
                      "Action=CreateDBInstance&Version=2014-10-31&DBInstanceIdentifier=app&Tags.Tag.1.Key=k");
  EXPECT_EQ(input["Tags"][0]["Key"], "k");
}

TEST(QueryEncoder, WritesResultWrapperListsAndRequestId) {
  const Operation* op = rds().findOperation("DescribeDBInstances");
  Json output = {{"DBInstances", Json::array({{{"DBInstanceIdentifier", "app"},
                                               {"AllocatedStorage", 20},
                                               {"MultiAZ", false},
                                               {"InstanceCreateTime", 0.5},
                                               {"VpcSecurityGroups", Json::array()}}})}};
  std::string xml = encodeQueryResponse(rds(), *op, output, "req-1");
  EXPECT_NE(xml.find(R"(<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">)"),
            std::string::npos);
  EXPECT_NE(xml.find("<DescribeDBInstancesResult><DBInstances><DBInstance><DBInstanceIdentifier>app<"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<AllocatedStorage>20</AllocatedStorage>"), std::string::npos);
  EXPECT_NE(xml.find("<MultiAZ>false</MultiAZ>"), std::string::npos);
  EXPECT_NE(xml.find("<InstanceCreateTime>1970-01-01T00:00:00.500Z</InstanceCreateTime>"), std::string::npos);
  EXPECT_NE(xml.find("<VpcSecurityGroups></VpcSecurityGroups>"), std::string::npos);
  EXPECT_NE(xml.find("<RequestId>req-1</RequestId>"), std::string::npos);
}

TEST(QueryEncoder, WritesMembersInTheModelsOrderWhateverTheirNames) {
  // The answer's members come sorted by name; the XML follows the model's
  // order (DBInstanceIdentifier, DBInstanceClass, Engine, ...), skips
  // members absent or null and keys the model does not have.
  const Operation* op = rds().findOperation("DescribeDBInstances");
  Json output = {{"DBInstances", Json::array({{{"Engine", "postgres"},
                                               {"DBInstanceIdentifier", "app"},
                                               {"AAA", "not in the model"},
                                               {"DBInstanceClass", "db.t3.micro"},
                                               {"DBName", nullptr},
                                               {"zzz", 1}}})}};
  std::string xml = encodeQueryResponse(rds(), *op, output, "r");
  EXPECT_NE(xml.find("<DBInstance><DBInstanceIdentifier>app</DBInstanceIdentifier><DBInstanceClass>db.t3.micro"
                     "</DBInstanceClass><Engine>postgres</Engine></DBInstance>"),
            std::string::npos)
      << xml;
  // Text runs between escapes are kept whole, at the start and the end too.
  std::string text;
  appendXmlEscaped(text, "&start 'mid' end>");
  EXPECT_EQ(text, "&amp;start &apos;mid&apos; end&gt;");
  text.clear();
  appendXmlEscaped(text, "plain");
  EXPECT_EQ(text, "plain");
}

TEST(QueryEncoder, EscapesTextAndWritesErrors) {
  std::string xml = encodeQueryError(ApiError::sender("InvalidParameterValue", "a<b & \"c\""), "r");
  EXPECT_NE(xml.find("<Code>InvalidParameterValue</Code><Message>a&lt;b &amp; &quot;c&quot;</Message>"),
            std::string::npos);
  EXPECT_NE(xml.find("<Type>Sender</Type>"), std::string::npos);
}

}  // namespace
}  // namespace kura
