#include "services/faults/engine_processes.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "services/faults/hang_resumer.h"

namespace kura::faults {
namespace {

namespace fs = std::filesystem;

// A process that works in `dir` (as `nobody` when the test runs as root:
// root's processes are never signalled) and sleeps until killed.
pid_t spawnIn(const fs::path& dir) {
  pid_t child = ::fork();
  if (child == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(1);
    if (::geteuid() == 0 && ::setuid(65534) != 0) ::_exit(1);
    while (true) ::pause();
  }
  return child;
}

char stateOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

bool waitForState(pid_t pid, char wanted) {
  for (int i = 0; i < 200; ++i) {
    if (stateOf(pid) == wanted) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// The resumer forgets a hang (rewrites its state file) just after it
// resumed the processes: a test that saw them run waits for that too.
bool waitGone(const fs::path& path) {
  for (int i = 0; i < 500; ++i) {
    if (!fs::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class EngineProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-faults-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "node-a" / "pgdata");
    fs::create_directories(dir_ / "node-b");
    fs::permissions(dir_, fs::perms::all);
    fs::permissions(dir_ / "node-a", fs::perms::all);
    fs::permissions(dir_ / "node-a" / "pgdata", fs::perms::all);
    fs::permissions(dir_ / "node-b", fs::perms::all);
  }
  void TearDown() override {
    for (pid_t child : children_) {
      ::kill(child, SIGKILL);
      ::waitpid(child, nullptr, 0);
    }
    fs::remove_all(dir_);
  }
  pid_t spawn(const fs::path& where) {
    pid_t child = spawnIn(where);
    children_.push_back(child);
    return child;
  }
  bool found(const fs::path& where, pid_t pid) {
    for (int i = 0; i < 200; ++i) {  // the child's chdir takes a moment
      for (const auto& process : processesBeneath(where)) {
        if (process.pid == pid) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  fs::path dir_;
  std::vector<pid_t> children_;
};

TEST_F(EngineProcesses, FoundByWhereTheyWorkAndNothingElse) {
  pid_t inA = spawn(dir_ / "node-a" / "pgdata");
  pid_t inB = spawn(dir_ / "node-b");
  EXPECT_TRUE(found(dir_ / "node-a", inA));
  EXPECT_TRUE(found(dir_, inB));
  for (const auto& process : processesBeneath(dir_ / "node-a")) {
    EXPECT_NE(process.pid, inB);
    EXPECT_NE(process.pid, ::getpid());
  }
  EXPECT_TRUE(processesBeneath("/").empty());  // never every process of the host
  // Both are servers here: neither is the other's parent.
  EXPECT_EQ(serversOf(processesBeneath(dir_)).size(), 2u);
}

// A zone's failure asks for many nodes' processes at once: one pass over
// the host's processes answers each folder as its own search would.
TEST_F(EngineProcesses, ManyFoldersAreAnsweredInOnePassEachAsAlone) {
  pid_t inA = spawn(dir_ / "node-a" / "pgdata");
  pid_t inB = spawn(dir_ / "node-b");
  ASSERT_TRUE(found(dir_ / "node-a", inA));
  ASSERT_TRUE(found(dir_ / "node-b", inB));
  auto pidsOf = [](const std::vector<EngineProcess>& processes) {
    std::vector<pid_t> pids;
    for (const auto& process : processes) pids.push_back(process.pid);
    std::sort(pids.begin(), pids.end());
    return pids;
  };
  auto each = processesBeneath(std::vector<fs::path>{dir_ / "node-b", "/", dir_ / "node-a", dir_, dir_ / "none"});
  ASSERT_EQ(each.size(), 5u);
  EXPECT_EQ(pidsOf(each[0]), std::vector<pid_t>{inB});
  EXPECT_TRUE(each[1].empty());  // never every process of the host
  EXPECT_EQ(pidsOf(each[2]), std::vector<pid_t>{inA});
  EXPECT_EQ(pidsOf(each[3]), pidsOf(processesBeneath(dir_)));
  EXPECT_EQ(each[3].size(), 2u);
  EXPECT_TRUE(each[4].empty());
}

TEST_F(EngineProcesses, AHangIsResumedWhenItsTimeIsUpAndAfterARestart) {
  pid_t child = spawn(dir_ / "node-a");
  ASSERT_TRUE(found(dir_ / "node-a", child));
  fs::path state = dir_ / "hangs";
  {
    HangResumer resumer(state);
    ASSERT_TRUE(resumer.stopFor("000000000000", processesBeneath(dir_ / "node-a"), std::chrono::seconds(1)));
    EXPECT_TRUE(waitForState(child, 'T'));
    EXPECT_TRUE(fs::exists(state));
    EXPECT_TRUE(waitForState(child, 'S'));  // resumed after its second
    EXPECT_TRUE(waitGone(state));
  }
  // A Kura killed during a hang: the next one resumes what the file names.
  {
    auto processes = processesBeneath(dir_ / "node-a");
    ASSERT_EQ(processes.size(), 1u);
    std::ofstream(state) << processes[0].pid << ' ' << processes[0].startTicks << '\n'
                         << processes[0].pid << ' ' << processes[0].startTicks + 1 << '\n';
    signalEach(processes, SIGSTOP);
    ASSERT_TRUE(waitForState(child, 'T'));
    HangResumer restarted(state);
    EXPECT_TRUE(waitForState(child, 'S'));
    EXPECT_TRUE(waitGone(state));
  }
}

TEST_F(EngineProcesses, OneOwnerCannotTakeEveryHangSlot) {
  HangResumer resumer;
  for (size_t at = 0; at < HangResumer::kMaxPendingPerOwner; ++at) {
    EXPECT_TRUE(resumer.stopFor("111111111111", {}, std::chrono::seconds(60)));
  }
  EXPECT_FALSE(resumer.stopFor("111111111111", {}, std::chrono::seconds(60)));
  EXPECT_TRUE(resumer.stopFor("222222222222", {}, std::chrono::seconds(60)));
}

TEST_F(EngineProcesses, ASignalSkipsAProcessThatIsNoLongerTheOneFound) {
  pid_t child = spawn(dir_ / "node-b");
  ASSERT_TRUE(found(dir_, child));
  auto processes = processesBeneath(dir_);
  ASSERT_EQ(processes.size(), 1u);
  processes[0].startTicks += 1;  // as if the pid were reused since
  EXPECT_EQ(signalEach(processes, SIGSTOP), 0);
  EXPECT_NE(stateOf(child), 'T');
}

}  // namespace
}  // namespace kura::faults
