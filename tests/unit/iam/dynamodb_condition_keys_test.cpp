// DynamoDB's condition keys as the authorizer fills them from a call's
// input and its table's key schema (iam/dynamodb_condition_keys.h).
#include <gtest/gtest.h>

#include "iam/dynamodb_condition_keys.h"

namespace kura::iam {
namespace {

using Json = nlohmann::json;

const std::vector<std::string> kAll{"dynamodb:leadingkeys", "dynamodb:attributes", "dynamodb:select",
                                    "dynamodb:returnvalues", "dynamodb:returnconsumedcapacity"};

TableLookup tables() {
  auto orders = std::make_shared<const Json>(Json::parse(R"({
    "KeySchema":[{"AttributeName":"customer","KeyType":"HASH"},{"AttributeName":"id","KeyType":"RANGE"}],
    "GlobalSecondaryIndexes":[{"IndexName":"by-status","KeySchema":[{"AttributeName":"status","KeyType":"HASH"}]}]})"));
  auto users = std::make_shared<const Json>(Json::parse(R"({"KeySchema":[{"AttributeName":"user","KeyType":"HASH"}]})"));
  return [orders, users](const std::string& name) -> std::shared_ptr<const Json> {
    if (name == "orders") return orders;
    if (name == "users") return users;
    return nullptr;
  };
}

auth::RequestFacts keysOf(const std::string& operation, const std::string& input) {
  auth::RequestFacts facts;
  addDynamoDbKeys(operation, Json::parse(input), kAll, tables(), facts);
  return facts;
}

std::vector<std::string> many(const auth::RequestFacts& facts, const std::string& key) {
  auto it = facts.multiKeys.find(key);
  return it == facts.multiKeys.end() ? std::vector<std::string>{} : it->second;
}

TEST(DynamoDbConditionKeys, ItemCalls) {
  auto get = keysOf("GetItem", R"({"TableName":"orders","Key":{"customer":{"S":"alice"},"id":{"N":"7"}},
      "ProjectionExpression":"#t, price.amount","ExpressionAttributeNames":{"#t":"title"}})");
  EXPECT_EQ(many(get, "dynamodb:leadingkeys"), std::vector<std::string>{"alice"});
  EXPECT_EQ(many(get, "dynamodb:attributes"), (std::vector<std::string>{"price", "title"}));
  EXPECT_FALSE(get.keys.contains("dynamodb:select"));
  // A read naming no attribute: the key is absent.
  auto whole = keysOf("GetItem", R"({"TableName":"orders","Key":{"customer":{"S":"alice"},"id":{"N":"7"}}})");
  EXPECT_TRUE(many(whole, "dynamodb:attributes").empty());

  auto put = keysOf("PutItem", R"({"TableName":"orders","Item":{"customer":{"S":"bob"},"id":{"N":"1"},
      "note":{"S":"x"}},"ReturnValues":"ALL_OLD"})");
  EXPECT_EQ(many(put, "dynamodb:leadingkeys"), std::vector<std::string>{"bob"});
  EXPECT_EQ(many(put, "dynamodb:attributes"), (std::vector<std::string>{"customer", "id", "note"}));
  EXPECT_EQ(put.keys.at("dynamodb:returnvalues"), "ALL_OLD");

  auto update = keysOf("UpdateItem", R"({"TableName":"orders","Key":{"customer":{"S":"bob"},"id":{"N":"1"}},
      "UpdateExpression":"SET #n = :v REMOVE memo","ExpressionAttributeNames":{"#n":"note"},
      "ExpressionAttributeValues":{":v":{"S":"y"}}})");
  EXPECT_EQ(many(update, "dynamodb:attributes"), (std::vector<std::string>{"customer", "id", "memo", "note"}));
  EXPECT_EQ(update.keys.at("dynamodb:returnvalues"), "NONE");
}

TEST(DynamoDbConditionKeys, ReturnConsumedCapacityOnEveryItemCall) {
  auto get = keysOf("GetItem", R"({"TableName":"orders","Key":{"customer":{"S":"a"},"id":{"N":"1"}},
      "ReturnConsumedCapacity":"TOTAL"})");
  EXPECT_EQ(get.keys.at("dynamodb:returnconsumedcapacity"), "TOTAL");
  auto scan = keysOf("Scan", R"({"TableName":"orders","ReturnConsumedCapacity":"INDEXES"})");
  EXPECT_EQ(scan.keys.at("dynamodb:returnconsumedcapacity"), "INDEXES");
  // Not asked for: NONE, as the call then answers none.
  auto put = keysOf("PutItem", R"({"TableName":"orders","Item":{"customer":{"S":"a"},"id":{"N":"1"}}})");
  EXPECT_EQ(put.keys.at("dynamodb:returnconsumedcapacity"), "NONE");
  auto batch = keysOf("BatchWriteItem", R"({"RequestItems":{}})");
  EXPECT_EQ(batch.keys.at("dynamodb:returnconsumedcapacity"), "NONE");
  // Calls that take no such parameter have no such key.
  EXPECT_FALSE(keysOf("DescribeTable", R"({"TableName":"orders"})").keys.contains("dynamodb:returnconsumedcapacity"));
}

TEST(DynamoDbConditionKeys, QueryScanAndBatches) {
  auto query = keysOf("Query", R"({"TableName":"orders","KeyConditionExpression":"#c = :c AND id > :i",
      "ExpressionAttributeNames":{"#c":"customer"},"ExpressionAttributeValues":{":c":{"S":"carol"},":i":{"N":"0"}}})");
  EXPECT_EQ(many(query, "dynamodb:leadingkeys"), std::vector<std::string>{"carol"});
  EXPECT_EQ(query.keys.at("dynamodb:select"), "ALL_ATTRIBUTES");
  auto onIndex = keysOf("Query", R"({"TableName":"orders","IndexName":"by-status",
      "KeyConditionExpression":"#s = :s","ExpressionAttributeNames":{"#s":"status"},"ExpressionAttributeValues":{":s":{"S":"open"}}})");
  EXPECT_EQ(many(onIndex, "dynamodb:leadingkeys"), std::vector<std::string>{"open"});
  EXPECT_EQ(onIndex.keys.at("dynamodb:select"), "ALL_PROJECTED_ATTRIBUTES");
  auto legacy = keysOf("Query", R"({"TableName":"orders","KeyConditions":{"customer":{"ComparisonOperator":"EQ",
      "AttributeValueList":[{"S":"dan"}]}},"Select":"COUNT"})");
  EXPECT_EQ(many(legacy, "dynamodb:leadingkeys"), std::vector<std::string>{"dan"});
  EXPECT_EQ(legacy.keys.at("dynamodb:select"), "COUNT");
  auto scan = keysOf("Scan", R"({"TableName":"orders","ProjectionExpression":"id"})");
  EXPECT_TRUE(many(scan, "dynamodb:leadingkeys").empty());
  EXPECT_EQ(scan.keys.at("dynamodb:select"), "SPECIFIC_ATTRIBUTES");

  auto batch = keysOf("BatchGetItem", R"({"RequestItems":{
      "orders":{"Keys":[{"customer":{"S":"a"},"id":{"N":"1"}},{"customer":{"S":"b"},"id":{"N":"1"}}]},
      "users":{"Keys":[{"user":{"N":"42"}}]}}})");
  EXPECT_EQ(many(batch, "dynamodb:leadingkeys"), (std::vector<std::string>{"a", "b", "42"}));
  auto writes = keysOf("BatchWriteItem", R"({"RequestItems":{"users":[{"PutRequest":{"Item":{"user":{"N":"1"}}}},
      {"DeleteRequest":{"Key":{"user":{"N":"2"}}}}]}})");
  EXPECT_EQ(many(writes, "dynamodb:leadingkeys"), (std::vector<std::string>{"1", "2"}));
  auto transact = keysOf("TransactWriteItems", R"({"TransactItems":[
      {"Put":{"TableName":"users","Item":{"user":{"N":"5"}}}},
      {"Delete":{"TableName":"orders","Key":{"customer":{"S":"e"},"id":{"N":"1"}}}}]})");
  EXPECT_EQ(many(transact, "dynamodb:leadingkeys"), (std::vector<std::string>{"5", "e"}));
}

TEST(DynamoDbConditionKeys, NothingUnlessAPolicyReadsThem) {
  auth::RequestFacts facts;
  addDynamoDbKeys("GetItem", Json::parse(R"({"TableName":"orders","Key":{"customer":{"S":"a"}}})"),
                  {"aws:sourceip"}, tables(), facts);
  EXPECT_TRUE(facts.keys.empty());
  EXPECT_TRUE(facts.multiKeys.empty());
}

}  // namespace
}  // namespace kura::iam
