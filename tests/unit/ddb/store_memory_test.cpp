#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "ddb/rocksdb_options.h"
#include "ddb/store_memory.h"

namespace kura::ddb {
namespace {

namespace fs = std::filesystem;

class StoreMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-store-memory-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    setStoreMemoryBudget(4u << 20);
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(storeOptions("test"), dir_.string(), &raw).ok());
    db_.reset(raw);
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
    setStoreMemoryBudget(kDefaultStoreMemoryBudget);
  }

  static std::string key(int n) { return "i|1|key-" + std::to_string(100000 + n); }
  static std::string value(int n) { return std::string(1000, static_cast<char>('a' + n % 26)); }

  fs::path dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(StoreMemoryTest, TableFilesHavePartitionedIndexesAndEveryItemReadsBack) {
  constexpr int kItems = 20000;  // 20 MB: several table files' worth of 4 KB blocks
  for (int n = 0; n < kItems; ++n) ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), key(n), value(n)).ok());
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
  std::map<std::string, std::string> files;
  ASSERT_TRUE(db_->GetMapProperty(rocksdb::DB::Properties::kAggregatedTableProperties, &files));
  EXPECT_GT(std::stoull(files["index_partitions"]), 1u);  // the index is cut into partitions
  EXPECT_GT(std::stoull(files["top_level_index_size"]), 0u);

  StoreMemory memory = storeMemory(*db_);
  EXPECT_EQ(memory.filesIndex, std::stoull(files["index_size"]));
  EXPECT_EQ(memory.filesFilter, std::stoull(files["filter_size"]));
  EXPECT_GT(memory.filesIndex, 0u);
  EXPECT_GT(memory.filesFilter, 0u);
  EXPECT_EQ(memory.capacity, 4u << 20);

  std::string read;
  for (int n = 0; n < kItems; ++n) {
    ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), key(n), &read).ok()) << n;
    ASSERT_EQ(read, value(n)) << n;
  }
  EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), key(kItems), &read).IsNotFound());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  int n = 0;
  for (it->Seek("i|1|"); it->Valid(); it->Next(), ++n) {
    ASSERT_EQ(it->key().ToString(), key(n));
    ASSERT_EQ(it->value().ToString(), value(n));
  }
  EXPECT_EQ(n, kItems);
  // (What the reads brought into the cache shows in the next statistics,
  // which RocksDB gathers at most every 10 s: test_metrics.py waits for them.)
}

}  // namespace
}  // namespace kura::ddb
