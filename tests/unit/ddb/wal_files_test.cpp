#include "ddb/wal_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace kura::ddb {
namespace {

class WalFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kura-wal-files-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(uint64_t number, const std::string& bytes) {
    std::ofstream(dir_ / WalFiles::fileName(number), std::ios::app) << bytes;
  }
  std::filesystem::path dir_;
};

TEST_F(WalFilesTest, NamesFilesAsRocksDbDoes) {
  EXPECT_EQ(WalFiles::fileName(8), "000008.log");
  EXPECT_EQ(WalFiles::fileName(1234567), "1234567.log");
}

TEST_F(WalFilesTest, SyncsTheCurrentFileAndKeepsItOpen) {
  WalFiles files(dir_);
  write(7, "first");
  EXPECT_EQ(files.syncThrough(7), "");
  // Still open: the name going does not stop the next sync of the file.
  write(7, "second");
  std::filesystem::rename(dir_ / WalFiles::fileName(7), dir_ / "moved");
  EXPECT_EQ(files.syncThrough(7), "");
}

TEST_F(WalFilesTest, AfterASwitchSyncsTheEarlierFilesThatAreLeft) {
  WalFiles files(dir_);
  write(5, "a");
  EXPECT_EQ(files.syncThrough(5), "");
  // RocksDB switched twice: 9 got its last bytes at the switch to 12, and 5
  // is gone (its memtable flushed); neither is an error. Other files in the
  // directory (tables, the manifest) are not WAL files.
  write(9, "b");
  write(12, "c");
  std::filesystem::remove(dir_ / WalFiles::fileName(5));
  std::ofstream(dir_ / "000010.sst") << "table";
  std::ofstream(dir_ / "MANIFEST-000011") << "manifest";
  EXPECT_EQ(files.syncThrough(12), "");
  EXPECT_EQ(files.syncThrough(12), "");
}

TEST_F(WalFilesTest, ACurrentFileThatIsMissingIsAnError) {
  WalFiles files(dir_);
  std::string error = files.syncThrough(3);
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
  EXPECT_NE(error.find("000003.log"), std::string::npos) << error;
  // Once it is there, the same object syncs it.
  write(3, "x");
  EXPECT_EQ(files.syncThrough(3), "");
}

TEST_F(WalFilesTest, ADirectoryThatCannotBeListedIsAnError) {
  WalFiles files(dir_ / "missing");
  EXPECT_NE(files.syncThrough(1), "");
}

}  // namespace
}  // namespace kura::ddb
