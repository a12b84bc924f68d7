// DynamoDB Streams through the handlers, with time moved by hand: shards
// rolling over, iterators expiring after 15 minutes, records trimmed after
// 24 hours, a disabled stream gone 24 hours later.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/json_text.h"
#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/stream_retention.h"

namespace kura::ddb {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;

// GetRecords answers with the records' stored text (json_text.h).
Json parsed(const Json& answer) {
  const std::string* raw = rawJsonText(answer);
  return raw != nullptr ? Json::parse(*raw) : answer;
}

class StreamApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-stream-api-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto opened = TableStore::open(dir_ / "store");
    ASSERT_TRUE(opened.ok());
    store_ = std::move(*opened);
    clock_ = std::make_shared<ManualClock>(std::chrono::system_clock::now());
    api_ = std::make_unique<DynamoDbApi>(*store_, dir_ / "backups", clock_, nullptr);
    auto created = api_->createTable(
        c_, {{"TableName", "t"},
             {"BillingMode", "PAY_PER_REQUEST"},
             {"KeySchema", {{{"AttributeName", "k"}, {"KeyType", "HASH"}}}},
             {"AttributeDefinitions", {{{"AttributeName", "k"}, {"AttributeType", "S"}}}},
             {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "KEYS_ONLY"}}}});
    ASSERT_TRUE(created.ok()) << created.error().message;
    arn_ = (*created)["TableDescription"]["LatestStreamArn"];
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  void put(const std::string& k) {
    auto put = api_->putItem(c_, {{"TableName", "t"}, {"Item", {{"k", {{"S", k}}}}}});
    ASSERT_TRUE(put.ok()) << put.error().message;
  }
  Json shards() {
    auto described = api_->describeStream(c_, {{"StreamArn", arn_}});
    EXPECT_TRUE(described.ok());
    return described.ok() ? (*described)["StreamDescription"]["Shards"] : Json::array();
  }
  Result<Json> iterator(const std::string& shard, const std::string& type, const std::string& sequence = "") {
    Json in = {{"StreamArn", arn_}, {"ShardId", shard}, {"ShardIteratorType", type}};
    if (!sequence.empty()) in["SequenceNumber"] = sequence;
    return api_->getShardIterator(c_, in);
  }
  Json records(const std::string& shard) {
    auto it = iterator(shard, "TRIM_HORIZON");
    EXPECT_TRUE(it.ok());
    auto read = api_->getRecords(c_, {{"ShardIterator", (*it)["ShardIterator"]}});
    EXPECT_TRUE(read.ok());
    return parsed(*read);
  }
  SystemTime now() const { return clock_->now(); }

  fs::path dir_;
  std::unique_ptr<TableStore> store_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<DynamoDbApi> api_;
  RequestContext c_;
  std::string arn_;
};

TEST_F(StreamApiTest, ShardsRollOverWithTheirParent) {
  EXPECT_EQ(rollShards(*store_, now() + hours(5)), 0u);  // no record yet: left open
  put("a");
  put("b");
  EXPECT_EQ(rollShards(*store_, now() + hours(1)), 0u);  // younger than 4 hours
  EXPECT_EQ(rollShards(*store_, now() + hours(5)), 1u);
  Json listed = shards();
  ASSERT_EQ(listed.size(), 2u);
  std::string parent = listed[0]["ShardId"], child = listed[1]["ShardId"];
  EXPECT_EQ(listed[0]["SequenceNumberRange"]["EndingSequenceNumber"], "000000000000000000002");
  EXPECT_EQ(listed[1]["ParentShardId"], parent);
  EXPECT_EQ(listed[1]["SequenceNumberRange"]["StartingSequenceNumber"], "000000000000000000003");
  EXPECT_FALSE(listed[1]["SequenceNumberRange"].contains("EndingSequenceNumber"));
  put("c");
  Json first = records(parent);
  EXPECT_EQ(first["Records"].size(), 2u);
  EXPECT_FALSE(first.contains("NextShardIterator"));  // read to its end: go on to the child
  Json second = records(child);
  ASSERT_EQ(second["Records"].size(), 1u);
  EXPECT_EQ(second["Records"][0]["dynamodb"]["Keys"]["k"]["S"], "c");
  EXPECT_TRUE(second.contains("NextShardIterator"));
  // A sequence number of one shard is not another's.
  auto wrong = iterator(child, "AT_SEQUENCE_NUMBER", "000000000000000000001");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "ValidationException");
}

TEST_F(StreamApiTest, ShardsRollOverAtTheirNumberOfRecords) {
  StreamSettings settings;
  settings.shardRecords = 3;
  put("a");
  put("b");
  EXPECT_EQ(rollShards(*store_, now(), settings), 0u);  // two of three
  put("c");
  EXPECT_EQ(rollShards(*store_, now(), settings), 1u);
  EXPECT_EQ(rollShards(*store_, now(), settings), 0u);  // the child is empty
  put("d");
  Json listed = shards();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["SequenceNumberRange"]["EndingSequenceNumber"], "000000000000000000003");
  EXPECT_EQ(records(listed[0]["ShardId"])["Records"].size(), 3u);
  EXPECT_EQ(records(listed[1]["ShardId"])["Records"].size(), 1u);
}

TEST_F(StreamApiTest, StatusSaysEnablingThenDisablingForAMoment) {
  StreamSettings settings;
  settings.statusDelay = std::chrono::seconds(2);
  api_->setStreamSettings(settings);
  auto status = [&] {
    auto described = api_->describeStream(c_, {{"StreamArn", arn_}});
    return described.ok() ? (*described)["StreamDescription"]["StreamStatus"].get<std::string>() : "";
  };
  EXPECT_EQ(status(), "ENABLING");
  clock_->advance(std::chrono::seconds(3));
  EXPECT_EQ(status(), "ENABLED");
  ASSERT_TRUE(api_->updateTable(c_, {{"TableName", "t"}, {"StreamSpecification", {{"StreamEnabled", false}}}}).ok());
  EXPECT_EQ(status(), "DISABLING");
  clock_->advance(std::chrono::seconds(3));
  EXPECT_EQ(status(), "DISABLED");
}

TEST_F(StreamApiTest, GetRecordsLimitIsOneToAThousand) {
  std::string shard = shards()[0]["ShardId"];
  auto it = iterator(shard, "LATEST");
  ASSERT_TRUE(it.ok());
  for (int limit : {0, -1, 1001}) {
    auto read = api_->getRecords(c_, {{"ShardIterator", (*it)["ShardIterator"]}, {"Limit", limit}});
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, "ValidationException");
  }
  auto zero = api_->getRecords(c_, {{"ShardIterator", (*it)["ShardIterator"]}, {"Limit", 0}});
  EXPECT_EQ(zero.error().message,
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1");
  EXPECT_TRUE(api_->getRecords(c_, {{"ShardIterator", (*it)["ShardIterator"]}, {"Limit", 1}}).ok());
}

TEST_F(StreamApiTest, IteratorsExpireAfterFifteenMinutes) {
  put("a");
  std::string shard = shards()[0]["ShardId"];
  auto it = iterator(shard, "TRIM_HORIZON");
  ASSERT_TRUE(it.ok());
  clock_->advance(minutes(14));
  auto read = api_->getRecords(c_, {{"ShardIterator", (*it)["ShardIterator"]}});
  ASSERT_TRUE(read.ok());
  clock_->advance(minutes(14));  // the next iterator lives 15 minutes from its own answer
  ASSERT_TRUE(api_->getRecords(c_, {{"ShardIterator", parsed(*read)["NextShardIterator"]}}).ok());
  auto expired = api_->getRecords(c_, {{"ShardIterator", (*it)["ShardIterator"]}});
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "ExpiredIteratorException");
}

TEST_F(StreamApiTest, RecordsOlderThanADayAreTrimmed) {
  put("a");
  put("b");
  std::string shard = shards()[0]["ShardId"];
  auto early = iterator(shard, "TRIM_HORIZON");
  ASSERT_TRUE(early.ok());
  trimStreams(*store_, now() + hours(1));  // nothing a day old
  EXPECT_EQ(records(shard)["Records"].size(), 2u);
  trimStreams(*store_, std::chrono::system_clock::now() + hours(25));
  EXPECT_EQ(records(shard)["Records"].size(), 0u);
  auto trimmed = iterator(shard, "AT_SEQUENCE_NUMBER", "000000000000000000001");
  ASSERT_FALSE(trimmed.ok());
  EXPECT_EQ(trimmed.error().code, "TrimmedDataAccessException");
  auto stale = api_->getRecords(c_, {{"ShardIterator", (*early)["ShardIterator"]}});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, "TrimmedDataAccessException");
  put("c");
  Json kept = records(shard);
  ASSERT_EQ(kept["Records"].size(), 1u);
  EXPECT_EQ(kept["Records"][0]["dynamodb"]["SequenceNumber"], "000000000000000000003");
  // Once rolled, the shard whose records are all gone leaves the description.
  ASSERT_EQ(rollShards(*store_, now() + hours(5)), 1u);
  put("d");
  trimStreams(*store_, std::chrono::system_clock::now() + hours(25));
  ASSERT_EQ(rollShards(*store_, now() + hours(10)), 1u);
  Json listed = shards();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_NE(listed[0]["ShardId"], shard);
}

TEST_F(StreamApiTest, ADisabledStreamGoesADayLater) {
  put("a");
  ASSERT_TRUE(api_->updateTable(c_, {{"TableName", "t"}, {"StreamSpecification", {{"StreamEnabled", false}}}}).ok());
  EXPECT_EQ(trimStreams(*store_, now() + hours(23)), 0u);
  EXPECT_EQ(records(shards()[0]["ShardId"])["Records"].size(), 1u);
  EXPECT_EQ(trimStreams(*store_, now() + hours(25)), 1u);
  auto gone = api_->describeStream(c_, {{"StreamArn", arn_}});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "ResourceNotFoundException");
  auto listed = api_->listStreams(c_, Json::object());
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE((*listed)["Streams"].empty());
}

}  // namespace
}  // namespace kura::ddb
