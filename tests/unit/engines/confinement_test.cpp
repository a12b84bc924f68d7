#include "engines/confinement.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engines/engine_process.h"

namespace kura::engines {
namespace {

namespace fs = std::filesystem;

// Two instances' directories side by side, as in Kura's data directory.
class ConfinementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (landlockAbi() < 1) GTEST_SKIP() << "this kernel offers no Landlock";
    root_ = fs::temp_directory_path() / ("kura-confinement-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(own_ = root_ / "own");
    fs::create_directories(other_ = root_ / "other");
    fs::create_directories(source_ = root_ / "source");
    std::ofstream(other_ / "secret") << "theirs\n";
    std::ofstream(source_ / "segment") << "replayed\n";
  }
  void TearDown() override { fs::remove_all(root_); }

  // Runs a shell command confined to `own` (and reading `source`): its exit code.
  int confined(const std::string& command) {
    Confinement confinement{.writable = {own_}, .readable = {source_}};
    return runProcess({"/bin/sh", "-c", command}, EngineUser{}, "", std::chrono::seconds(20), {}, confinement)
        .exitCode;
  }

  fs::path root_, own_, other_, source_;
};

TEST_F(ConfinementTest, AServerWritesItsOwnFilesAndReadsTheSystem) {
  EXPECT_EQ(confined("echo ours > '" + own_.string() + "/file' && mkdir '" + own_.string() +
                     "/dir' && mv '" + own_.string() + "/file' '" + own_.string() + "/dir/file' && cat '" +
                     own_.string() + "/dir/file' >/dev/null && rm -r '" + own_.string() + "/dir'"),
            0);
  EXPECT_EQ(confined("cat /etc/passwd >/dev/null && ls /usr/bin >/dev/null && cat /proc/self/status >/dev/null"), 0);
  EXPECT_EQ(confined("cat '" + source_.string() + "/segment' >/dev/null"), 0);
}

TEST_F(ConfinementTest, AServerReachesNoOtherInstancesFiles) {
  EXPECT_NE(confined("cat '" + other_.string() + "/secret'"), 0);
  EXPECT_NE(confined("ls '" + other_.string() + "'"), 0);
  EXPECT_NE(confined("echo pwned > '" + other_.string() + "/planted'"), 0);
  EXPECT_NE(confined("echo pwned >> '" + other_.string() + "/secret'"), 0);
  EXPECT_NE(confined("rm -f '" + other_.string() + "/secret'"), 0);
  EXPECT_NE(confined("echo pwned > '" + source_.string() + "/segment'"), 0);  // read, never written
  // Nor a link from its own directory to theirs.
  EXPECT_NE(confined("ln '" + other_.string() + "/secret' '" + own_.string() + "/link'"), 0);
  EXPECT_NE(confined("ln -s '" + other_.string() + "/secret' '" + own_.string() + "/sym' && cat '" + own_.string() +
                     "/sym'"),
            0);
  // Nor the data directory's other files, nor the host's temporary files.
  EXPECT_NE(confined("echo pwned > '" + root_.string() + "/planted'"), 0);
  EXPECT_NE(confined("ls /tmp"), 0);
  EXPECT_FALSE(fs::exists(other_ / "planted"));
  EXPECT_FALSE(fs::exists(root_ / "planted"));
  std::ifstream secret(other_ / "secret");
  std::string text;
  std::getline(secret, text);
  EXPECT_EQ(text, "theirs");
}

// With scoped signals (ABI 6), no process outside the server's own: not
// Kura, not another instance's server (both run as the same user).
TEST_F(ConfinementTest, AServerSignalsNoProcessOutsideItsOwn) {
  if (landlockAbi() < 6) GTEST_SKIP() << "this kernel's Landlock does not scope signals";
  EXPECT_NE(confined("kill -0 " + std::to_string(::getpid())), 0);
  EXPECT_EQ(confined("sleep 5 & kill $!"), 0);  // its own children it may stop
}

// With Landlock ABI 4 a server listens on its own ports only: a free port
// (another instance's, while that one restarts) is not its to take.
TEST_F(ConfinementTest, AServerListensOnItsOwnPortsOnly) {
  if (landlockAbi() < 4) GTEST_SKIP() << "this kernel's Landlock does not confine ports";
  auto listen = [&](int own, int wanted) {
    Confinement confinement{.writable = {own_}, .listenPorts = {own}};
    std::string script = "import socket; s = socket.socket(); s.bind(('127.0.0.1', " + std::to_string(wanted) +
                         ")); s.listen()";
    return runProcess({"/usr/bin/python3", "-c", script}, EngineUser{}, "", std::chrono::seconds(20), {}, confinement)
        .exitCode;
  };
  // Two ports nobody listens on (taken together, so they differ, and let
  // go: free, as a stopped instance's are).
  auto pair = runProcess({"/usr/bin/python3", "-c",
                          "import socket; a, b = socket.socket(), socket.socket(); a.bind(('127.0.0.1', 0)); "
                          "b.bind(('127.0.0.1', 0)); print(a.getsockname()[1], b.getsockname()[1])"},
                         EngineUser{}, "", std::chrono::seconds(20));
  ASSERT_TRUE(pair.ok()) << pair.output;
  int own = 0, theirs = 0;
  ASSERT_EQ(std::sscanf(pair.output.c_str(), "%d %d", &own, &theirs), 2) << pair.output;
  ASSERT_NE(own, theirs);
  EXPECT_EQ(listen(own, own), 0);
  EXPECT_NE(listen(own, theirs), 0);
  EXPECT_EQ(listen(own, 0), 0);  // an ephemeral port takes no one's
}

TEST_F(ConfinementTest, AWritableDirectoryThatIsALinkIsRefusedNotFollowed) {
  fs::create_symlink(other_, root_ / "planted-link");
  Confinement confinement{.writable = {root_ / "planted-link"}};
  auto result = runProcess({"/bin/true"}, EngineUser{}, "", std::chrono::seconds(20), {}, confinement);
  EXPECT_EQ(result.exitCode, -1);
  EXPECT_NE(result.output.find("cannot confine"), std::string::npos) << result.output;
}

// A cache node's process maps no more than its bound, Landlock or not: a
// shell's `ulimit -v` reads the limit back (KiB).
TEST(ConfinementBoundTest, AServersAddressSpaceIsBoundedWhenABoundIsGiven) {
  Confinement bounded{.writable = {fs::temp_directory_path()}, .addressSpaceBytes = 256ULL << 20};
  auto result = runProcess({"/bin/sh", "-c", "ulimit -v"}, EngineUser{}, "", std::chrono::seconds(20), {}, bounded);
  ASSERT_TRUE(result.ok()) << result.output;
  EXPECT_EQ(result.output, "262144\n");
  // More than the bound cannot be had: a 512 MiB allocation fails.
  auto greedy = runProcess({"/usr/bin/python3", "-c", "bytearray(512 << 20)"}, EngineUser{}, "",
                           std::chrono::seconds(60), {}, bounded);
  EXPECT_FALSE(greedy.ok()) << greedy.output;
  auto unbounded = runProcess({"/bin/sh", "-c", "ulimit -v"}, EngineUser{}, "", std::chrono::seconds(20));
  EXPECT_EQ(unbounded.output, "unlimited\n");
}

}  // namespace
}  // namespace kura::engines
