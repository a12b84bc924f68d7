#include "common/confined_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace kura {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ConfinedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("kura-confined-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "root";
    outside_ = base_ / "outside";
    fs::create_directories(root_ / "sub");
    fs::create_directories(outside_);
    std::ofstream(outside_ / "secret") << "host secret";
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path base_, root_, outside_;
};

TEST_F(ConfinedFileTest, ReadsAndWritesPlainFiles) {
  ASSERT_TRUE(writeBeneath(root_, "sub/a.conf", "one\n"));
  ASSERT_TRUE(writeBeneath(root_, "sub/a.conf", "two\n", WriteMode::Append));
  EXPECT_EQ(readBeneath(root_, "sub/a.conf").value_or("?"), "one\ntwo\n");
  EXPECT_EQ(readBeneath(root_, "sub/a.conf", 4, 2).value_or("?"), "tw");
  ASSERT_TRUE(writeBeneath(root_, "sub/a.conf", "three"));
  EXPECT_EQ(slurp(root_ / "sub/a.conf"), "three");
  EXPECT_EQ(fs::status(root_ / "sub/a.conf").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_TRUE(replaceBeneath(root_, "sub/a.conf", "four"));
  EXPECT_EQ(slurp(root_ / "sub/a.conf"), "four");
  auto info = statBeneath(root_, "sub/a.conf");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->st_size, 4);
}

TEST_F(ConfinedFileTest, NeverFollowsALinkInTheFileItself) {
  fs::create_symlink(outside_ / "secret", root_ / "sub" / "kura.conf");
  EXPECT_FALSE(readBeneath(root_, "sub/kura.conf"));
  EXPECT_FALSE(writeBeneath(root_, "sub/kura.conf", "overwritten"));
  EXPECT_FALSE(writeBeneath(root_, "sub/kura.conf", "appended", WriteMode::Append));
  EXPECT_FALSE(statBeneath(root_, "sub/kura.conf"));
  EXPECT_EQ(slurp(outside_ / "secret"), "host secret");
  // Replacing swaps the link itself for a file, and leaves its target alone.
  ASSERT_TRUE(replaceBeneath(root_, "sub/kura.conf", "mine"));
  EXPECT_FALSE(fs::is_symlink(root_ / "sub" / "kura.conf"));
  EXPECT_EQ(slurp(root_ / "sub" / "kura.conf"), "mine");
  EXPECT_EQ(slurp(outside_ / "secret"), "host secret");
}

TEST_F(ConfinedFileTest, NeverFollowsALinkOnTheWay) {
  fs::create_directory_symlink(outside_, root_ / "log");
  EXPECT_FALSE(readBeneath(root_, "log/secret"));
  EXPECT_FALSE(writeBeneath(root_, "log/new", "x"));
  EXPECT_FALSE(fs::exists(outside_ / "new"));
  EXPECT_FALSE(replaceBeneath(root_, "log/new", "x"));
  EXPECT_FALSE(fs::exists(outside_ / "new"));
}

TEST_F(ConfinedFileTest, RefusesARootThatIsALink) {
  fs::create_directory_symlink(outside_, root_ / "node-a");
  EXPECT_FALSE(readBeneath(root_ / "node-a", "secret"));
  EXPECT_FALSE(writeBeneath(root_ / "node-a", "new", "x"));
  EXPECT_FALSE(fs::exists(outside_ / "new"));
}

TEST_F(ConfinedFileTest, CopiesOverAPlantedLinkWithoutFollowingIt) {
  std::ofstream(base_ / "image") << "snapshot image";
  fs::create_symlink(outside_ / "secret", root_ / "sub" / "dump.rdb");
  ASSERT_TRUE(copyBeneath(base_, "image", root_, "sub/dump.rdb"));
  EXPECT_FALSE(fs::is_symlink(root_ / "sub" / "dump.rdb"));
  EXPECT_EQ(slurp(root_ / "sub" / "dump.rdb"), "snapshot image");
  EXPECT_EQ(slurp(outside_ / "secret"), "host secret");
}

TEST_F(ConfinedFileTest, NeverCopiesALinkAFifoOrAPathOutOfTheRoot) {
  fs::create_symlink(outside_ / "secret", root_ / "sub" / "mysql-bin.000001");
  ASSERT_EQ(::mkfifo((root_ / "sub" / "mysql-bin.000002").c_str(), 0600), 0);
  EXPECT_FALSE(copyBeneath(root_, "sub/mysql-bin.000001", base_, "copied"));
  EXPECT_FALSE(copyBeneath(root_, "sub/mysql-bin.000002", base_, "copied"));  // and does not block
  EXPECT_FALSE(copyBeneath(root_, "../outside/secret", base_, "copied"));
  EXPECT_FALSE(fs::exists(base_ / "copied"));
}

TEST_F(ConfinedFileTest, NeverLeavesTheRoot) {
  EXPECT_FALSE(readBeneath(root_, "../outside/secret"));
  EXPECT_FALSE(readBeneath(root_, outside_ / "secret"));
  EXPECT_FALSE(writeBeneath(root_, "sub/../../outside/secret", "x"));
  EXPECT_EQ(slurp(outside_ / "secret"), "host secret");
}

TEST_F(ConfinedFileTest, RefusesHardLinksAndSpecialFiles) {
  // A hard link to a file elsewhere (on this file system) would let a write land there.
  ASSERT_EQ(::link((outside_ / "secret").c_str(), (root_ / "linked").c_str()), 0);
  EXPECT_FALSE(writeBeneath(root_, "linked", "overwritten"));
  EXPECT_EQ(slurp(outside_ / "secret"), "host secret");
  ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0600), 0);
  EXPECT_FALSE(readBeneath(root_, "fifo"));  // and does not block
  EXPECT_FALSE(writeBeneath(root_, "fifo", "x"));
}

}  // namespace
}  // namespace kura
