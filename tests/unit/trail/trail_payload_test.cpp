#include <gtest/gtest.h>

#include "protocol/model_registry.h"
#include "trail/trail_event.h"
#include "trail/trail_payloads.h"

namespace kura {
namespace {

using Json = nlohmann::json;

Json eventOf(const std::string& service, const std::string& operation, const Json& input, const Json* output = nullptr) {
  RequestContext context;
  context.requestId = "r";
  context.service = service;
  context.operation = operation;
  return makeTrailEvent(context, &input, output, nullptr, "e");
}

TEST(TrailPayloads, LogEventsAreNeverRecorded) {
  Json input = {{"logGroupName", "/app"}, {"logStreamName", "s1"},
                {"logEvents", {{{"timestamp", 1}, {"message", "card 4111-1111"}}}}};
  Json output = {{"nextSequenceToken", "t"}};
  Json event = eventOf("logs", "PutLogEvents", input, &output);
  EXPECT_EQ(event["requestParameters"], (Json{{"logGroupName", "/app"}, {"logStreamName", "s1"}}));
  EXPECT_TRUE(event["responseElements"].is_null());
  EXPECT_EQ(event["eventCategory"], "Data");
  EXPECT_EQ(event.dump().find("4111"), std::string::npos);
  event = eventOf("logs", "TestMetricFilter",
                  Json{{"filterPattern", "card"}, {"logEventMessages", {"card 4111-1111"}}});
  EXPECT_EQ(event["requestParameters"], (Json{{"filterPattern", "card"}}));
  event = eventOf("monitoring", "PutMetricData",
                  Json{{"Namespace", "App"}, {"MetricData", {{{"MetricName", "m"}, {"Value", 4111.1111}}}}});
  EXPECT_EQ(event["requestParameters"], (Json{{"namespace", "App"}}));
  EXPECT_EQ(event.dump().find("4111"), std::string::npos);
  // A log group's other calls are recorded whole.
  event = eventOf("logs", "CreateLogGroup", Json{{"logGroupName", "/app"}, {"kmsKeyId", "k"}});
  EXPECT_EQ(event["requestParameters"]["kmsKeyId"], "k");
  EXPECT_EQ(event["eventCategory"], "Management");
}

TEST(TrailPayloads, DynamoDbCallsKeepTableNamesOnly) {
  Json put = {{"TableName", "t"},
              {"Item", {{"k", {{"S", "item-secret"}}}}},
              {"ConditionExpression", "#a <> :v"},
              {"ExpressionAttributeValues", {{":v", {{"S", "value-secret"}}}}}};
  Json event = eventOf("dynamodb", "PutItem", put);
  EXPECT_EQ(event["requestParameters"], (Json{{"tableName", "t"}}));
  Json batch = {{"RequestItems",
                 {{"t1", {{{"PutRequest", {{"Item", {{"k", {{"S", "item-secret"}}}}}}}}}},
                  {"t2", {{{"DeleteRequest", {{"Key", {{"k", {{"S", "key-secret"}}}}}}}}}}}}};
  event = eventOf("dynamodb", "BatchWriteItem", batch);
  EXPECT_EQ(event["requestParameters"], (Json{{"tableNames", {"t1", "t2"}}}));
  Json transact = {{"TransactItems",
                    {{{"Put", {{"TableName", "t1"}, {"Item", {{"k", {{"S", "item-secret"}}}}}}}},
                     {{"Update", {{"TableName", "t1"}, {"Key", {{"k", {{"S", "key-secret"}}}}}}}},
                     {{"ConditionCheck", {{"TableName", "t3"}, {"Key", {{"k", {{"S", "key-secret"}}}}}}}}}}};
  event = eventOf("dynamodb", "TransactWriteItems", transact);
  EXPECT_EQ(event["requestParameters"], (Json{{"tableNames", {"t1", "t3"}}}));
  Json statement = {{"TransactStatements",
                     {{{"Statement", "INSERT INTO t VALUE {'k': 'item-secret'}"},
                       {"Parameters", {{{"S", "value-secret"}}}}}}}};
  event = eventOf("dynamodb", "ExecuteTransaction", statement);
  EXPECT_EQ(event["requestParameters"], Json::object());
  EXPECT_EQ(event["eventCategory"], "Data");
  for (const Json* input : {&put, &batch, &transact, &statement}) {
    for (const char* op : {"PutItem", "BatchWriteItem", "TransactWriteItems", "ExecuteTransaction"}) {
      std::string text = eventOf("dynamodb", op, *input).dump();
      EXPECT_EQ(text.find("secret"), std::string::npos) << op << ": " << text;
    }
  }
}

TEST(TrailPayloads, AnErrorOfAPayloadCallKeepsItsCodeNotItsMessage) {
  RequestContext context;
  context.service = "dynamodb";
  context.operation = "PutItem";
  Json input = {{"TableName", "t"}, {"Item", {{"n", {{"N", "12x-secret"}}}}}};
  ApiError error = ApiError::sender("ValidationException", "the number 12x-secret is not valid");
  Json event = Json::parse(trailEventText(context, &input, nullptr, &error, "e"));
  EXPECT_EQ(event["errorCode"], "ValidationException");
  EXPECT_FALSE(event.contains("errorMessage"));
  EXPECT_EQ(event.dump().find("secret"), std::string::npos);
  context.operation = "CreateTable";
  event = Json::parse(trailEventText(context, &input, nullptr, &error, "e"));
  EXPECT_EQ(event["errorMessage"], "the number 12x-secret is not valid");
}

TEST(TrailPayloads, KmsCryptographicCallsKeepTheKeyAndContextOnly) {
  Json input = {{"KeyId", "alias/app"}, {"Plaintext", "cGxhaW4tc2VjcmV0"}, {"EncryptionContext", {{"app", "x"}}}};
  Json output = {{"CiphertextBlob", "Y2lwaGVy"}, {"KeyId", "arn"}};
  Json event = eventOf("kms", "Encrypt", input, &output);
  EXPECT_EQ(event["requestParameters"], (Json{{"keyId", "alias/app"}, {"encryptionContext", {{"app", "x"}}}}));
  EXPECT_TRUE(event["responseElements"].is_null());
  EXPECT_EQ(event["eventCategory"], "Management");
  event = eventOf("kms", "ReEncrypt", Json{{"CiphertextBlob", "Y2lwaGVy"}, {"DestinationKeyId", "k2"}}, &output);
  EXPECT_EQ(event["requestParameters"], (Json{{"destinationKeyId", "k2"}}));
  EXPECT_TRUE(event["responseElements"].is_null());
}

TEST(TrailPayloads, SecretValuesAreHidden) {
  Json input = {{"Name", "db"}, {"SecretString", "{\"password\":\"pw-secret\"}"}};
  Json event = eventOf("secretsmanager", "CreateSecret", input);
  EXPECT_EQ(event["requestParameters"]["name"], "db");
  EXPECT_EQ(event["requestParameters"]["secretString"], "HIDDEN_DUE_TO_SECURITY_REASONS");
  EXPECT_EQ(event.dump().find("pw-secret"), std::string::npos);
}

// Whatever a model marks "sensitive" never reaches the trail, in a call's
// input or output: hidden by name, or left out with a payload call's data.
TEST(TrailPayloads, EveryMemberAModelMarksSensitiveStaysOut) {
  size_t checked = 0;
  for (const char* service : {"dynamodb", "kms", "secretsmanager", "logs", "rds", "elasticache", "cloudtrail",
                              "monitoring", "sts"}) {
    const ServiceModel* model = ModelRegistry::embedded().bySigningName(service);
    ASSERT_NE(model, nullptr) << service;
    for (const auto& [name, operation] : model->operations()) {
      for (bool isInput : {true, false}) {
        const Shape* shape = isInput ? operation.input : operation.output;
        if (shape == nullptr) continue;
        for (const MemberRef& member : shape->members) {
          if (!member.shape->sensitive) continue;
          ++checked;
          Json value = {{member.name, "marked-sensitive"}};
          Json empty = Json::object();
          std::string text = eventOf(service, name, isInput ? value : empty, isInput ? &empty : &value).dump();
          EXPECT_EQ(text.find("marked-sensitive"), std::string::npos) << service << " " << name << "." << member.name;
        }
      }
    }
  }
  EXPECT_GT(checked, 10u);
}

TEST(TrailPayloads, ADeepValueIsCutNotOverflowed) {
  Json deep = Json::array();
  for (int i = 0; i < 100000; ++i) deep = Json::array({std::move(deep)});
  Json input = {{"Zzz", std::move(deep)}};
  Json event = eventOf("rds", "DescribeDBInstances", input);
  EXPECT_TRUE(event["requestParameters"].is_object());
}

}  // namespace
}  // namespace kura
