// Global tables in the store: stamps written with a replica's changes, and
// changes from other replicas applied last writer wins.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "ddb/table_store.h"

namespace kura::ddb {
namespace {

namespace fs = std::filesystem;
using Stamp = TableStore::ReplicaStamp;

class ReplicationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-replication-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto opened = TableStore::open(dir_);
    ASSERT_TRUE(opened.ok());
    store_ = std::move(*opened);
    Json description = {{"TableName", "t"},
                        {"KeySchema", {{{"AttributeName", "k"}, {"KeyType", "HASH"}}}},
                        {"AttributeDefinitions", {{{"AttributeName", "k"}, {"AttributeType", "S"}}}},
                        {"_global", {{"Version", "2019.11.21"}}},
                        {"_stream",
                         {{"Enabled", true}, {"Id", "s1"}, {"ViewType", "NEW_AND_OLD_IMAGES"}, {"Region", "r1"},
                          {"MetaKey", "s|a|r1|t|L"}}}};
    auto made = store_->createTable({"a", "r1", "t"}, description);
    ASSERT_TRUE(made.ok());
    table_ = (*made)["_id"];
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  static std::string key(const std::string& k) { return TableStore::encodeKey(Json{{"S", k}}, nullptr); }
  static Json item(const std::string& k, const std::string& v) { return {{"k", {{"S", k}}}, {"v", {{"S", v}}}}; }
  void put(const std::string& k, const std::string& v) {
    Json it = item(k, v);
    ASSERT_TRUE(store_->writeItem(table_, key(k), [&](const Json*) -> TableStore::Decision { return &it; }).ok());
  }
  std::string value(const std::string& k) {
    auto got = store_->getItem(table_, key(k));
    return got ? (*got)["v"]["S"].get<std::string>() : "<none>";
  }
  std::unique_ptr<TableStore> store_;
  fs::path dir_;
  std::string table_;
};

TEST_F(ReplicationStoreTest, LocalWritesStampTheirRecordAndTheItem) {
  put("x", "1");
  auto record = store_->recordStamp("s1", 1);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->region, "r1");
  EXPECT_FALSE(record->replicated);
  auto onItem = store_->itemStamp(table_, key("x"));
  ASSERT_TRUE(onItem);
  EXPECT_EQ(onItem->micros, record->micros);
}

TEST_F(ReplicationStoreTest, AnOlderChangeFromElsewhereIsDroppedALaterOneApplied) {
  put("x", "local");
  int64_t local = store_->itemStamp(table_, key("x"))->micros;
  auto older = store_->applyReplicated(table_, key("x"), item("x", "older"), Stamp{local - 1, "r2"});
  ASSERT_TRUE(older.ok());
  EXPECT_FALSE(*older);
  EXPECT_EQ(value("x"), "local");
  auto later = store_->applyReplicated(table_, key("x"), item("x", "later"), Stamp{local + 1, "r2"});
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(*later);
  EXPECT_EQ(value("x"), "later");
  // Its stream record is marked as replicated (not to be passed on).
  auto record = store_->recordStamp("s1", store_->lastStreamSequence("s1"));
  ASSERT_TRUE(record);
  EXPECT_TRUE(record->replicated);
  EXPECT_EQ(record->region, "r2");
  // The same change again (a replay after a crash) changes nothing.
  auto again = store_->applyReplicated(table_, key("x"), item("x", "later"), Stamp{local + 1, "r2"});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST_F(ReplicationStoreTest, ADeletionsStampOutlivesTheItem) {
  auto deleted = store_->applyReplicated(table_, key("y"), std::nullopt, Stamp{2000, "r2"});
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  // A put made before the deletion, arriving after it, does not bring the item back.
  auto stale = store_->applyReplicated(table_, key("y"), item("y", "stale"), Stamp{1000, "r3"});
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(*stale);
  EXPECT_EQ(value("y"), "<none>");
}

TEST_F(ReplicationStoreTest, OnlyOldStampsOfDeletedItemsArePruned) {
  ASSERT_TRUE(store_->applyReplicated(table_, key("gone"), std::nullopt, Stamp{1000, "r2"}).ok());
  ASSERT_TRUE(store_->applyReplicated(table_, key("kept"), item("kept", "1"), Stamp{1000, "r2"}).ok());
  ASSERT_TRUE(store_->applyReplicated(table_, key("recent"), std::nullopt, Stamp{9000, "r2"}).ok());
  EXPECT_EQ(store_->pruneTombstones(table_, 5000), 1u);
  EXPECT_FALSE(store_->itemStamp(table_, key("gone")));
  EXPECT_TRUE(store_->itemStamp(table_, key("kept")));    // the item is there
  EXPECT_TRUE(store_->itemStamp(table_, key("recent")));  // not old enough
}

TEST_F(ReplicationStoreTest, EqualTimesAreOrderedByRegion) {
  ASSERT_TRUE(store_->applyReplicated(table_, key("z"), item("z", "from-b"), Stamp{5000, "b"}).ok());
  auto lower = store_->applyReplicated(table_, key("z"), item("z", "from-a"), Stamp{5000, "a"});
  ASSERT_TRUE(lower.ok());
  EXPECT_FALSE(*lower);
  auto higher = store_->applyReplicated(table_, key("z"), item("z", "from-c"), Stamp{5000, "c"});
  ASSERT_TRUE(higher.ok());
  EXPECT_TRUE(*higher);
  EXPECT_EQ(value("z"), "from-c");
}

}  // namespace
}  // namespace kura::ddb
