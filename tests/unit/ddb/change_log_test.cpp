#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "ddb/table_store.h"

namespace kura::ddb {
namespace {

namespace fs = std::filesystem;

int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ChangeLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-change-log-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto opened = TableStore::open(dir_);
    ASSERT_TRUE(opened.ok());
    store_ = std::move(*opened);
    source_ = makeTable("source");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string makeTable(const std::string& name) {
    Json description = {{"TableName", name},
                        {"KeySchema", {{{"AttributeName", "k"}, {"KeyType", "HASH"}}}},
                        {"AttributeDefinitions", {{{"AttributeName", "k"}, {"AttributeType", "S"}}}}};
    auto made = store_->createTable({"a", "r", name}, description);
    EXPECT_TRUE(made.ok());
    return (*made)["_id"];
  }
  static std::string key(const std::string& k) {
    Json hash = {{"S", k}};
    return TableStore::encodeKey(hash, nullptr);
  }
  void put(const std::string& k, const std::string& v) {
    Json item = {{"k", {{"S", k}}}, {"v", {{"S", v}}}};
    ASSERT_TRUE(store_->writeItem(source_, key(k), [&](const Json*) -> TableStore::Decision {
                  return &item;
                }).ok());
  }
  void remove(const std::string& k) {
    ASSERT_TRUE(store_->writeItem(source_, key(k), [](const Json*) -> TableStore::Decision {
                  return nullptr;
                }).ok());
  }
  // The items of a restore to `at`, as "k=v" in key order.
  std::vector<std::string> restoredAt(int64_t at) {
    std::string target = makeTable("restore-" + std::to_string(++restores_));
    EXPECT_TRUE(store_->restoreFromChangeLog(source_, target, at).ok());
    std::vector<std::string> out;
    store_->scanItems(target, "", "", [&](const std::string&, Json item) {
      out.push_back(item["k"]["S"].get<std::string>() + "=" + item["v"]["S"].get<std::string>());
      return true;
    });
    return out;
  }
  static int64_t pause() {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    int64_t at = nowMicros();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return at;
  }

  fs::path dir_;
  std::unique_ptr<TableStore> store_;
  std::string source_;
  int restores_ = 0;
};

TEST_F(ChangeLogTest, ARestoreHasTheItemsOfItsMomentBeforeAndAfterPruning) {
  put("k0", "before-logging");
  ASSERT_TRUE(store_->startChangeLog(source_).ok());
  int64_t started = pause();
  put("k1", "v1");
  put("k2", "v1");
  remove("k2");
  put("k3", "v1");
  put("k1", "v2");
  remove("k0");
  int64_t middle = pause();
  put("k1", "v3");
  put("k4", "v1");
  int64_t latest = pause();
  using Items = std::vector<std::string>;
  EXPECT_EQ(restoredAt(started), (Items{"k0=before-logging"}));
  EXPECT_EQ(restoredAt(middle), (Items{"k1=v2", "k3=v1"}));
  EXPECT_EQ(restoredAt(latest), (Items{"k1=v3", "k3=v1", "k4=v1"}));

  // Folding everything before `middle` changes no restore from then on.
  auto dropped = store_->pruneChangeLog(source_, middle);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 5u);  // k1=v1, k2=v1, k2 deleted, k0 as it was, k0 deleted
  EXPECT_EQ(restoredAt(middle), (Items{"k1=v2", "k3=v1"}));
  EXPECT_EQ(restoredAt(latest), (Items{"k1=v3", "k3=v1", "k4=v1"}));
  // Pruning again drops nothing more.
  EXPECT_EQ(*store_->pruneChangeLog(source_, middle), 0u);
}

TEST_F(ChangeLogTest, OnlyLoggedTablesLogAndDroppingEndsIt) {
  put("k1", "v1");
  EXPECT_TRUE(store_->loggedTables().empty());
  ASSERT_TRUE(store_->startChangeLog(source_).ok());
  EXPECT_EQ(store_->loggedTables(), std::vector<std::string>{source_});
  ASSERT_TRUE(store_->dropChangeLog(source_).ok());
  EXPECT_TRUE(store_->loggedTables().empty());
  put("k2", "v1");
  EXPECT_TRUE(restoredAt(nowMicros()).empty());
}

}  // namespace
}  // namespace kura::ddb
