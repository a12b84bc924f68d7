#include "engines/engine_process.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "common/descriptor_shortage.h"
#include "common/tool_cut.h"

#include "../descriptor_exhaustion.h"

namespace kura::engines {
namespace {

// The supervisors' probes that are tools (pg_ctl status, redis-cli PING)
// run through runProcess: one that cannot start for lack of descriptors in
// Kura must be judged unknown, never down (which would restart or fail over
// a healthy engine). The supervisors' branches on the verdict need a
// catalog and live engines; the integration suite covers them running.
TEST(EngineProcessTest, AToolThatFailsIsDownAndOneKuraCannotStartForLackOfDescriptorsIsUnknown) {
  uint64_t mark = descriptorShortages();
  auto failed = runProcess({"/bin/false"}, EngineUser{}, "", std::chrono::seconds(10));
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(judgeProbe(failed.ok(), mark), ProbeVerdict::kDown);

  test_support::DescriptorsExhausted exhausted;
  mark = descriptorShortages();
  auto starved = runProcess({"/bin/true"}, EngineUser{}, "", std::chrono::seconds(10));
  uint64_t noted = descriptorShortages() - mark;
  // Judged while still short (the supervisor's case), then given back.
  ProbeVerdict verdict = judgeProbe(starved.ok(), mark);
  exhausted.release();

  EXPECT_EQ(starved.exitCode, -1);
  EXPECT_GE(noted, 1u);  // runProcess itself noted it
  EXPECT_EQ(verdict, ProbeVerdict::kUnknown);
  EXPECT_TRUE(runProcess({"/bin/true"}, EngineUser{}, "", std::chrono::seconds(10)).ok());
}

}  // namespace
}  // namespace kura::engines

namespace kura::engines {
namespace {

// A link planted where an engine directory should be (the socket directory
// in an instance's, a node's in its instance's) is replaced by a directory:
// neither the chmod nor the chown ever reaches what it pointed to.
TEST(EngineProcessTest, AnEngineDirectoryPlantedAsALinkIsReplacedNotFollowed) {
  namespace fs = std::filesystem;
  fs::path base = fs::temp_directory_path() / ("kura-engine-dir-" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "instance");
  fs::create_directories(base / "outside");
  fs::permissions(base / "outside", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  fs::create_directory_symlink(base / "outside", base / "instance" / "run");
  EngineUser user;  // Kura's own user: no chown, only the mode
  auto made = prepareEngineDir(base / "instance" / "run", user, base);
  EXPECT_TRUE(made.ok) << made.error;
  EXPECT_FALSE(fs::is_symlink(base / "instance" / "run"));
  EXPECT_TRUE(fs::is_directory(base / "instance" / "run"));
  EXPECT_EQ(fs::status(base / "instance" / "run").permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(base / "outside").permissions() & fs::perms::all,
            fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  fs::remove_all(base);
}

}  // namespace
}  // namespace kura::engines

namespace kura::engines {
namespace {

// A server that wrote its pid file and died (one that cannot load its
// image) is told apart from one still starting (no pid file yet) and from
// one running.
TEST(EngineProcessTest, APidFileOfAProcessGoneIsADaemonThatExited) {
  auto dir = std::filesystem::temp_directory_path() / ("kura-daemon-exited-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto pidFile = dir / "server.pid";
  EXPECT_FALSE(daemonExited(pidFile));  // not written yet
  {
    std::ofstream out(pidFile);
    out << ::getpid() << "\n";
  }
  EXPECT_FALSE(daemonExited(pidFile));  // this process runs
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  {
    std::ofstream out(pidFile);
    out << child << "\n";
  }
  EXPECT_TRUE(daemonExited(pidFile));
  {
    std::ofstream out(pidFile);
    out << "garbage";
  }
  EXPECT_FALSE(daemonExited(pidFile));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kura::engines

namespace kura::engines {
namespace {

// A stop cuts a long tool, and a long wait, of a reconciler's worker (a
// large snapshot's pg_basebackup), never those of another thread.
TEST(EngineProcessTest, AStopCutsAWorkersLongToolAndWaitAndNoOtherThreads) {
  std::atomic<bool> stopping{false};
  std::atomic<int> cuts{0};
  uint64_t counted = 0;
  std::thread worker([&] {
    ToolCutScope scope(stopping);
    try {
      runProcess({"/bin/sleep", "30"}, EngineUser{}, "", std::chrono::seconds(60));
    } catch (const ToolCut&) {
      ++cuts;
    }
    try {
      waitUntil([] { return false; }, std::chrono::seconds(60));
    } catch (const ToolCut&) {
      ++cuts;
    }
    counted = toolsCutOnThisThread();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stopping = true;
  // Outside a worker's scope: runs to its end even while a stop asks.
  auto other = runProcess({"/bin/sh", "-c", "sleep 1; echo done"}, EngineUser{}, "", std::chrono::seconds(10));
  worker.join();
  EXPECT_TRUE(other.ok());
  EXPECT_EQ(other.output, "done\n");
  EXPECT_EQ(cuts.load(), 2);
  EXPECT_EQ(counted, 2u);
  EXPECT_EQ(toolsCutOnThisThread(), 0u);
}

}  // namespace
}  // namespace kura::engines
