#include "common/durable_tree.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace kura {
namespace {

namespace fs = std::filesystem;

class DurableTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("kura-durable-tree-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "tree" / "sub");
    fs::create_directories(base_ / "outside");
    std::ofstream(base_ / "tree" / "a") << "a";
    std::ofstream(base_ / "tree" / "sub" / "b") << "b";
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path base_;
};

TEST_F(DurableTreeTest, SyncsATreeWithLinksAndFifosLeftAlone) {
  // A link to a folder outside is not followed (nor an error), and a FIFO
  // an engine left is neither opened for long nor waited on.
  fs::create_directory_symlink(base_ / "outside", base_ / "tree" / "link");
  ASSERT_EQ(::mkfifo((base_ / "tree" / "sub" / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(syncTree(base_ / "tree"), "");
  EXPECT_EQ(syncPath(base_ / "tree" / "sub" / "fifo"), "");
  EXPECT_EQ(syncPath(base_ / "tree" / "a"), "");
}

TEST_F(DurableTreeTest, NamesWhatCannotBeSynced) {
  EXPECT_NE(syncTree(base_ / "missing").find("missing"), std::string::npos);
  EXPECT_NE(syncPath(base_ / "missing").find("missing"), std::string::npos);
  // A link is never opened through.
  fs::create_symlink(base_ / "tree" / "a", base_ / "link-to-a");
  EXPECT_NE(syncPath(base_ / "link-to-a"), "");
}

TEST_F(DurableTreeTest, GrowingFolderSyncsWhatArrivesAndForgetsAFolderThatWent) {
  GrowingFolderSync archive;
  fs::path folder = base_ / "tree";
  EXPECT_EQ(archive.sync(folder), "");
  std::ofstream(folder / "000000010000000000000002") << "segment";
  EXPECT_EQ(archive.sync(folder), "");
  // Files known to be synced by an earlier run are taken as such the first time.
  GrowingFolderSync restarted;
  EXPECT_EQ(restarted.sync(folder, 4e9), "");
  fs::remove_all(folder);
  EXPECT_NE(archive.sync(folder).find("tree"), std::string::npos);
  fs::create_directories(folder);
  EXPECT_EQ(archive.sync(folder), "");
}

// The archive of an instance that was deleted is never synced again: what
// was remembered of it goes once its folder is gone.
TEST_F(DurableTreeTest, GrowingFolderSyncForgetsAFolderThatWentUnseen) {
  GrowingFolderSync archive;
  fs::create_directories(base_ / "gone");
  std::ofstream(base_ / "gone" / "000000010000000000000001") << "segment";
  EXPECT_EQ(archive.sync(base_ / "gone"), "");
  fs::remove_all(base_ / "gone");
  for (uint64_t i = 0; i < GrowingFolderSync::kForgetEvery; ++i) EXPECT_EQ(archive.sync(base_ / "tree"), "");
  EXPECT_EQ(archive.folders(), 1u);
}

}  // namespace
}  // namespace kura
