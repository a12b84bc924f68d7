#include "engines/backup_manifest.h"

#include <gtest/gtest.h>

#include <fstream>

namespace kura::engines {
namespace {

namespace fs = std::filesystem;

class BackupManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-manifest-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "base");
    write("dump.rdb", std::string(3 << 20, 'x') + "tail");  // several chunks
    write("base/part", "second file");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << text;
  }
  fs::path dir_;
};

TEST_F(BackupManifestTest, AnIntactBackupVerifies) {
  uint64_t bytes = writeManifest(dir_, {{"engine", "redis"}});
  EXPECT_EQ(bytes, (3u << 20) + 4 + 11);
  auto check = verifyManifest(dir_);
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.manifest["engine"], "redis");
  EXPECT_EQ(check.manifest["files"].size(), 2u);
}

TEST_F(BackupManifestTest, AChangedByteIsCaughtAndNamed) {
  writeManifest(dir_, {{"engine", "redis"}});
  {
    std::fstream file(dir_ / "dump.rdb", std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(2 << 20);
    file.put('y');
  }
  auto check = verifyManifest(dir_);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.error.find("dump.rdb"), std::string::npos);
}

TEST_F(BackupManifestTest, AMissingFileOrManifestIsCaught) {
  writeManifest(dir_, {{"engine", "redis"}});
  fs::remove(dir_ / "base" / "part");
  EXPECT_FALSE(verifyManifest(dir_).ok);
  fs::remove(dir_ / "kura-manifest.json");
  auto check = verifyManifest(dir_);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.error.find("manifest"), std::string::npos);
}

TEST_F(BackupManifestTest, ADamagedManifestIsCaught) {
  write("kura-manifest.json", "{\"files\": [1, 2]}");
  EXPECT_FALSE(verifyManifest(dir_).ok);
  write("kura-manifest.json", "{\"files\": {\"dump.rdb\": 7}}");
  EXPECT_FALSE(verifyManifest(dir_).ok);
}

}  // namespace
}  // namespace kura::engines
