// DynamoDB Streams' calls, as IAM evaluates them: on the stream's ARN,
// named by StreamArn or in front of a shard iterator.
#include <gtest/gtest.h>

#include "auth/request_resources.h"

namespace kura::auth {
namespace {

using Json = nlohmann::json;

const RequestTarget kTarget{"us-east-1", "123456789012", ""};
const std::string kStream = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-12-03T00:00:00.000";

TEST(StreamResources, DescribeStreamAndGetShardIteratorActOnTheStreamArn) {
  EXPECT_EQ(requestResources("dynamodb", "DescribeStream", Json{{"StreamArn", kStream}}, kTarget),
            std::vector<std::string>{kStream});
  EXPECT_EQ(requestResources("dynamodb", "GetShardIterator",
                             Json{{"StreamArn", kStream}, {"ShardId", "shardId-1"}, {"ShardIteratorType", "LATEST"}},
                             kTarget),
            std::vector<std::string>{kStream});
}

TEST(StreamResources, GetRecordsActsOnTheStreamInFrontOfItsIterator) {
  EXPECT_EQ(requestResources("dynamodb", "GetRecords", Json{{"ShardIterator", kStream + "|1|AAAA"}}, kTarget),
            std::vector<std::string>{kStream});
  // Not an ARN in front: no resource Kura can name (only "*" allows it;
  // the handler then refuses the iterator).
  EXPECT_EQ(requestResources("dynamodb", "GetRecords", Json{{"ShardIterator", "garbage"}}, kTarget),
            std::vector<std::string>{"*"});
}

TEST(StreamResources, ListStreamsOfATableActsOnTheTable) {
  EXPECT_EQ(requestResources("dynamodb", "ListStreams", Json{{"TableName", "orders"}}, kTarget),
            std::vector<std::string>{"arn:aws:dynamodb:us-east-1:123456789012:table/orders"});
  EXPECT_EQ(requestResources("dynamodb", "ListStreams", Json::object(), kTarget), std::vector<std::string>{"*"});
}

}  // namespace
}  // namespace kura::auth
