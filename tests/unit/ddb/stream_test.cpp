#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "ddb/stream_format.h"
#include "ddb/table_store.h"

namespace kura::ddb {
namespace {

namespace fs = std::filesystem;
using streams::decodeIterator;
using streams::encodeIterator;
using streams::formatSequence;
using streams::IteratorPosition;
using streams::parseSequence;

TEST(StreamFormat, SequenceNumbersAreTwentyOneDigitsAndSortAsNumbers) {
  EXPECT_EQ(formatSequence(1), "000000000000000000001");
  EXPECT_EQ(formatSequence(18446744073709551615ull).size(), 21u);
  EXPECT_LT(formatSequence(9), formatSequence(10));
  EXPECT_EQ(parseSequence("000000000000000000042"), 42u);
  EXPECT_EQ(parseSequence(formatSequence(18446744073709551615ull)), 18446744073709551615ull);
  EXPECT_FALSE(parseSequence("42"));                           // shorter than 21
  EXPECT_FALSE(parseSequence("00000000000000000004x"));        // not a digit
  EXPECT_FALSE(parseSequence("99999999999999999999999"));      // past 64 bits
  EXPECT_FALSE(parseSequence(std::string(41, '1')));           // longer than 40
}

TEST(StreamFormat, ShardIdsHaveDynamoDbsShape) {
  std::string id = streams::shardId(1700000000000, 1);
  EXPECT_EQ(id.rfind("shardId-00000001700000000000-", 0), 0u);
  EXPECT_EQ(id.size(), 37u);
  EXPECT_NE(id, streams::shardId(1700000000000, 2));
}

TEST(StreamFormat, IteratorsRoundTripAndStartWithTheStreamArn) {
  IteratorPosition position{"arn:aws:dynamodb:r:1:table/t/stream/2026-01-01T00:00:00.000", "shardId-1", 77, 123456};
  std::string text = encodeIterator(position, "secret");
  EXPECT_EQ(text.rfind(position.streamArn + "|1|", 0), 0u);
  auto decoded = decodeIterator(text, "secret");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->streamArn, position.streamArn);
  EXPECT_EQ(decoded->shardId, "shardId-1");
  EXPECT_EQ(decoded->next, 77u);
  EXPECT_EQ(decoded->expiresAtMillis, 123456);
}

TEST(StreamFormat, ForgedOrDamagedIteratorsAreRefused) {
  IteratorPosition position{"arn:aws:dynamodb:r:1:table/t/stream/L", "shardId-1", 5, 99};
  std::string text = encodeIterator(position, "secret");
  EXPECT_FALSE(decodeIterator(text, "other secret").ok());
  // Another stream's ARN in front of this iterator's body.
  std::string moved = "arn:aws:dynamodb:r:2:table/t/stream/L" + text.substr(text.find("|1|"));
  EXPECT_FALSE(decodeIterator(moved, "secret").ok());
  // An iterator made for a later position or a longer life.
  IteratorPosition later = position;
  later.expiresAtMillis = 99999999;
  std::string forged = encodeIterator(later, "guess");
  EXPECT_FALSE(decodeIterator(forged, "secret").ok());
  for (std::string bad : {std::string(""), std::string("|1|"), std::string("arn|1|!!!"), text.substr(0, text.size() - 4),
                          std::string("no separator")}) {
    auto decoded = decodeIterator(bad, "secret");
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, "ValidationException");
  }
}

class StreamStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-stream-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    open();
    Json description = {{"TableName", "t"},
                        {"KeySchema", {{{"AttributeName", "k"}, {"KeyType", "HASH"}}}},
                        {"AttributeDefinitions", {{{"AttributeName", "k"}, {"AttributeType", "S"}}}},
                        {"_stream",
                         {{"Enabled", true}, {"Id", "s1"}, {"ViewType", "NEW_IMAGE"}, {"Region", "r"},
                          {"MetaKey", "s|a|r|t|L"}}}};
    auto made = store_->createTable({"a", "r", "t"}, description);
    ASSERT_TRUE(made.ok());
    table_ = (*made)["_id"];
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void open() {
    store_.reset();
    auto opened = TableStore::open(dir_);
    ASSERT_TRUE(opened.ok());
    store_ = std::move(*opened);
  }
  void put(const std::string& k, const std::string& v) {
    Json item = {{"k", {{"S", k}}}, {"v", {{"S", v}}}};
    Json hash = {{"S", k}};
    ASSERT_TRUE(store_->writeItem(table_, TableStore::encodeKey(hash, nullptr),
                                  [&](const Json*) -> TableStore::Decision { return &item; })
                    .ok());
  }
  std::unique_ptr<TableStore> store_;
  fs::path dir_;
  std::string table_;
};

TEST_F(StreamStoreTest, RecordsFollowWritesAndUnchangedItemsMakeNone) {
  put("x", "1");
  put("x", "1");  // the same item again
  put("x", "2");
  auto records = store_->streamRecords("s1", 1, UINT64_MAX, 100);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].first, 1u);
  EXPECT_EQ(records[1].first, 2u);
  Json second = Json::parse(records[1].second);
  EXPECT_EQ(second["eventName"], "MODIFY");
  EXPECT_EQ(second["dynamodb"]["NewImage"]["v"]["S"], "2");
  EXPECT_FALSE(second["dynamodb"].contains("OldImage"));  // NEW_IMAGE
  EXPECT_EQ(store_->lastStreamSequence("s1"), 2u);
}

TEST_F(StreamStoreTest, SequenceNumbersGoOnAfterReopenAndAfterEverythingIsTrimmed) {
  put("x", "1");
  put("y", "1");
  open();
  put("z", "1");
  EXPECT_EQ(store_->lastStreamSequence("s1"), 3u);
  // A cutoff in the future trims every record.
  auto trimmed = store_->trimStream("s1", 1e12);
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed, 4u);
  EXPECT_EQ(store_->streamTrimmedBelow("s1"), 4u);
  EXPECT_TRUE(store_->streamRecords("s1", 1, UINT64_MAX, 100).empty());
  open();
  put("w", "1");
  auto records = store_->streamRecords("s1", 1, UINT64_MAX, 100);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].first, 4u);  // never a number handed out before
}

TEST_F(StreamStoreTest, TrimmingKeepsRecordsYoungerThanTheCutoff) {
  put("x", "1");
  auto trimmed = store_->trimStream("s1", 0);  // nothing is older than 1970
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed, 1u);
  EXPECT_EQ(store_->streamTrimmedBelow("s1"), 1u);
  EXPECT_EQ(store_->streamRecords("s1", 1, UINT64_MAX, 100).size(), 1u);
  ASSERT_TRUE(store_->dropStream("s|a|r|t|L", "s1").ok());
  EXPECT_TRUE(store_->streamRecords("s1", 1, UINT64_MAX, 100).empty());
}

}  // namespace
}  // namespace kura::ddb
