#include "engines/memory_cgroup.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engines/engine_process.h"

namespace kura::engines {
namespace {

namespace fs = std::filesystem;

TEST(MemoryCgroupTest, FindsTheV1MemoryHierarchyWhereV1HoldsTheController) {
  // This machine's layout: every v1 controller mounted, v2 holding none.
  const std::string mountinfo =
      "30 25 0:26 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu\n"
      "33 25 0:29 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory\n"
      "38 25 0:34 / /sys/fs/cgroup/unified rw,relatime shared:17 - cgroup2 cgroup2 rw\n";
  const std::string self = "9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n";
  CgroupPlace place = locateMemoryCgroup(mountinfo, self);
  EXPECT_EQ(place.version, CgroupVersion::v1);
  EXPECT_EQ(place.dir, fs::path("/sys/fs/cgroup/memory/process_api/abc"));
}

TEST(MemoryCgroupTest, FindsTheV2CgroupOfAUnifiedHost) {
  const std::string mountinfo =
      "25 30 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
      "rw,nsdelegate,memory_recursiveprot\n";
  const std::string self = "0::/system.slice/kura.service\n";
  CgroupPlace place = locateMemoryCgroup(mountinfo, self);
  EXPECT_EQ(place.version, CgroupVersion::v2);
  EXPECT_EQ(place.dir, fs::path("/sys/fs/cgroup/system.slice/kura.service"));
  // At the hierarchy's root (a container's namespace), the mount itself.
  EXPECT_EQ(locateMemoryCgroup(mountinfo, "0::/\n").dir, fs::path("/sys/fs/cgroup"));
}

TEST(MemoryCgroupTest, AMountOfPartOfTheHierarchyShowsOnlyWhatIsBelowItsRoot) {
  // A container given its own part of the host's hierarchy, mounted at a
  // path with a space (mountinfo writes it \040).
  const std::string mountinfo =
      "40 30 0:31 /docker/abc /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,memory\n";
  CgroupPlace inside = locateMemoryCgroup(mountinfo, "5:memory:/docker/abc/kura\n");
  EXPECT_EQ(inside.version, CgroupVersion::v1);
  EXPECT_EQ(inside.dir, fs::path("/sys/fs/cgroup/my memory/kura"));
  // A cgroup outside the mount's root (or only sharing a prefix) is not in it.
  EXPECT_EQ(locateMemoryCgroup(mountinfo, "5:memory:/docker/abcdef\n").version, CgroupVersion::none);
  EXPECT_EQ(locateMemoryCgroup(mountinfo, "5:memory:/other\n").version, CgroupVersion::none);
  // Mounted twice, the second mount shows it.
  const std::string twice = mountinfo + "41 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  EXPECT_EQ(locateMemoryCgroup(twice, "5:memory:/other\n").dir, fs::path("/sys/fs/cgroup/memory/other"));
}

TEST(MemoryCgroupTest, NoHierarchyNoGroups) {
  EXPECT_EQ(locateMemoryCgroup("", "").version, CgroupVersion::none);
  // v1 without the memory controller mounted.
  EXPECT_EQ(locateMemoryCgroup("30 25 0:26 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n", "1:cpu:/\n").version,
            CgroupVersion::none);
  MemoryCgroups none = MemoryCgroups::open(CgroupPlace{}, "/tmp/data");
  EXPECT_FALSE(none.available());
  EXPECT_FALSE(none.reason().empty());
  // A server asked to be bounded runs as before.
  MemoryGroup group = none.prepare("/tmp/data/rds/instances/db-X", 1 << 30);
  EXPECT_FALSE(group.procs);
  EXPECT_TRUE(group.error.empty());
}

TEST(MemoryCgroupTest, AGroupsMembersAreItsWholeLinesOnly) {
  char pattern[] = "/tmp/kura-members-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const fs::path dir = pattern;
  {
    std::ofstream(dir / "cgroup.procs") << "123\n4567\n89";  // the last line cut by the read's bound
  }
  EXPECT_EQ(groupMembers(dir), (std::vector<int>{123, 4567}));
  {
    std::ofstream(dir / "cgroup.procs") << "1\nabc\n0\n42x\n77\n";  // init, and what is not a number
  }
  EXPECT_EQ(groupMembers(dir), (std::vector<int>{77}));
  EXPECT_TRUE(groupMembers(dir / "missing").empty());
  fs::remove_all(dir);
}

std::string readText(const fs::path& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// A data directory of its own, under /tmp (empty: none could be made).
fs::path temporaryDataDir() {
  char pattern[] = "/tmp/kura-cgroup-test-XXXXXX";
  return ::mkdtemp(pattern) == nullptr ? fs::path() : fs::path(pattern);
}

// How a server at `server` is started bounded to `bytes`.
Confinement boundedAt(const fs::path& server, uint64_t bytes) {
  Confinement bounded;
  bounded.memoryBytes = bytes;
  bounded.memoryGroupOf = server;
  return bounded;
}

// The real thing, where this machine lets Kura make memory cgroups (root,
// or a delegated v2 cgroup): a process started bounded is born in its
// group, and one that touches more memory than its bound is killed.
TEST(MemoryCgroupTest, AProcessStartedBoundedRunsInItsGroupAndDiesAtItsBound) {
  CgroupPlace place = locateMemoryCgroup(readText("/proc/self/mountinfo"), readText("/proc/self/cgroup"));
  if (place.version != CgroupVersion::v1) GTEST_SKIP() << "runs where memory is cgroup v1's (this test changes no v2 tree)";
  const fs::path dataDir = temporaryDataDir();
  ASSERT_FALSE(dataDir.empty());
  MemoryCgroups groups = MemoryCgroups::open(place, dataDir);
  if (!groups.available()) {
    fs::remove_all(dataDir);
    GTEST_SKIP() << "no memory cgroups here: " << groups.reason();
  }
  setMemoryCgroups(groups);
  const fs::path server = dataDir / "rds" / "instances" / "db-TEST";
  const Confinement bounded = boundedAt(server, 64ull << 20);

  auto where = runProcess({"/bin/cat", "/proc/self/cgroup"}, EngineUser{}, "", std::chrono::seconds(10), {}, bounded);
  EXPECT_TRUE(where.ok()) << where.output;
  const fs::path group = groups.groupDir(server);
  EXPECT_NE(where.output.find(group.string().substr(place.dir.string().size()) + "\n"), std::string::npos)
      << where.output;
  EXPECT_EQ(readText(group / "memory.limit_in_bytes"), std::to_string(64ull << 20));
  if (groups.swapBounded()) {
    EXPECT_EQ(readText(group / "memory.memsw.limit_in_bytes"), std::to_string(64ull << 20));
  }

  // 256 MiB touched (dd fills its buffer) against a bound of 64: killed
  // by the kernel at the group's bound.
  auto oomKills = [&] {
    std::string text = readText(group / "memory.oom_control");
    size_t at = text.find("oom_kill ");
    return at == std::string::npos ? -1 : std::stoi(text.substr(at + 9));
  };
  const int killsBefore = oomKills();
  auto greedy = runProcess({"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"}, EngineUser{}, "",
                           std::chrono::seconds(30), {}, bounded);
  EXPECT_FALSE(greedy.ok()) << greedy.output;
  EXPECT_EQ(oomKills(), killsBefore + 1);
  // The same, unbounded, runs.
  auto free = runProcess({"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"}, EngineUser{}, "",
                         std::chrono::seconds(30));
  EXPECT_TRUE(free.ok()) << free.output;

  // A larger bound for the running group; then the group goes with its server.
  EXPECT_TRUE(groups.rebound(server, 128ull << 20));
  EXPECT_EQ(readText(group / "memory.limit_in_bytes"), std::to_string(128ull << 20));
  if (groups.swapBounded()) {
    EXPECT_EQ(readText(group / "memory.memsw.limit_in_bytes"), std::to_string(128ull << 20));
  }
  EXPECT_TRUE(groups.rebound(server, 32ull << 20));
  EXPECT_EQ(readText(group / "memory.limit_in_bytes"), std::to_string(32ull << 20));
  if (groups.swapBounded()) {
    EXPECT_EQ(readText(group / "memory.memsw.limit_in_bytes"), std::to_string(32ull << 20));
  }
  // Unbounded (a class of no known memory): a group all the same.
  EXPECT_TRUE(groups.rebound(server, 0));
  EXPECT_GT(std::stoull(readText(group / "memory.limit_in_bytes")), 1ull << 40);
  // A process detached from the server (its own session, its parent gone)
  // is still in the group, and removing the group ends it.
  auto detach = runProcess({"/bin/sh", "-c", "setsid sleep 300 </dev/null >/dev/null 2>&1 &"}, EngineUser{}, "",
                           std::chrono::seconds(10), {}, bounded);
  EXPECT_TRUE(detach.ok()) << detach.output;
  std::string members;
  for (int i = 0; i < 100 && members.empty(); ++i) {
    members = readText(group / "cgroup.procs");
    if (members.empty()) ::usleep(10000);
  }
  ASSERT_FALSE(members.empty());
  const int sleeper = std::stoi(members);
  EXPECT_EQ(::kill(sleeper, 0), 0);
  groups.remove(server);
  EXPECT_FALSE(fs::exists(group));
  for (int i = 0; i < 100 && ::kill(sleeper, 0) == 0; ++i) ::usleep(10000);  // reaped by init
  EXPECT_NE(readText("/proc/" + std::to_string(sleeper) + "/cmdline").find("sleep"), 0u);
  groups.close();
  EXPECT_FALSE(fs::exists(groups.root()));
  setMemoryCgroups(MemoryCgroups());
  fs::remove_all(dataDir);
}

// A program that forks without end (what a superuser's COPY ... PROGRAM
// could run) is held at its group's task bound, and the host keeps its
// process numbers; the group's removal ends what it made.
TEST(MemoryCgroupTest, AServerForkingWithoutEndIsHeldAtItsTaskBound) {
  const std::string mountinfo = readText("/proc/self/mountinfo"), self = readText("/proc/self/cgroup");
  CgroupPlace place = locateMemoryCgroup(mountinfo, self);
  if (place.version != CgroupVersion::v1) GTEST_SKIP() << "runs where memory is cgroup v1's (this test changes no v2 tree)";
  CgroupPlace tasks = locateCgroup(mountinfo, self, "pids");
  const fs::path dataDir = temporaryDataDir();
  ASSERT_FALSE(dataDir.empty());
  MemoryCgroups groups = MemoryCgroups::open(place, dataDir, tasks);
  if (!groups.available() || !groups.tasksBounded()) {
    groups.close();
    fs::remove_all(dataDir);
    GTEST_SKIP() << "no pids cgroups here: " << groups.reason();
  }
  setMemoryCgroups(groups);
  EXPECT_EQ(taskBoundFor(0), 0u);
  EXPECT_EQ(taskBoundFor(64ull << 20), kFewestTasks);
  EXPECT_EQ(taskBoundFor(1ull << 30), 1024u);
  EXPECT_EQ(taskBoundFor(64ull << 30, 4096), 4096u);  // a large class: a share of the host's at most
  EXPECT_EQ(taskBoundFor(0, 4096), 0u);
  // This host's share: pid_max (and threads-max) over kHostShareDivisor.
  std::ifstream pidMax("/proc/sys/kernel/pid_max");
  uint64_t hostPids = 0;
  pidMax >> hostPids;
  EXPECT_LE(groups.taskCeiling(), hostPids / kHostShareDivisor);
  EXPECT_GE(groups.taskCeiling(), 1u);
  const fs::path server = dataDir / "rds" / "instances" / "db-FORKS";
  // Room for the sleepers' memory: the task bound is what holds them.
  const Confinement bounded = boundedAt(server, 256ull << 20);
  const fs::path group = groups.taskGroupDir(server);
  EXPECT_NE(group, groups.groupDir(server));  // v1: the pids hierarchy's
  // 2,000 sleepers asked for, each its own session; a fork refused ends the loop.
  auto bomb = runProcess({"/bin/sh", "-c",
                          "i=0; while [ $i -lt 2000 ]; do setsid sleep 300 </dev/null >/dev/null 2>&1 & "
                          "i=$((i+1)); done 2>/dev/null; exit 0"},
                         EngineUser{}, "", std::chrono::seconds(60), {}, bounded);
  EXPECT_EQ(readText(group / "pids.max"), std::to_string(groups.tasksFor(256ull << 20)));
  ASSERT_EQ(groups.tasksFor(256ull << 20), kFewestTasks);  // the ceiling is above it here
  const int held = std::stoi(readText(group / "pids.current"));
  EXPECT_LE(held, static_cast<int>(kFewestTasks));
  EXPECT_GE(held, static_cast<int>(kFewestTasks) - 16) << "the loop stopped before the bound: " << bomb.output;
  const std::string events = readText(group / "pids.events");
  EXPECT_NE(events.find("max "), std::string::npos);
  EXPECT_NE(events, "max 0") << "no fork was refused";
  // The same processes are in the memory group: its removal ends them all.
  EXPECT_EQ(groupMembers(groups.groupDir(server)).size(), groupMembers(group).size());
  groups.remove(server);
  EXPECT_FALSE(fs::exists(group));
  EXPECT_FALSE(fs::exists(groups.groupDir(server)));
  groups.close();
  EXPECT_FALSE(fs::exists(groups.taskRoot()));
  setMemoryCgroups(MemoryCgroups());
  fs::remove_all(dataDir);
}

// A pids "hierarchy" where no group can be bounded (here a plain
// directory, as a file system Kura can no longer write would be): tasks go
// unbounded, with the reason said, and servers still start in their
// memory groups.
TEST(MemoryCgroupTest, APidsHierarchyKuraCannotWriteLeavesServersTheirMemoryBound) {
  CgroupPlace place = locateMemoryCgroup(readText("/proc/self/mountinfo"), readText("/proc/self/cgroup"));
  if (place.version != CgroupVersion::v1) GTEST_SKIP() << "runs where memory is cgroup v1's (this test changes no v2 tree)";
  const fs::path dataDir = temporaryDataDir();
  ASSERT_FALSE(dataDir.empty());
  fs::create_directories(dataDir / "not-pids");
  MemoryCgroups groups = MemoryCgroups::open(place, dataDir, CgroupPlace{CgroupVersion::v1, dataDir / "not-pids"});
  if (!groups.available()) {
    fs::remove_all(dataDir);
    GTEST_SKIP() << "no memory cgroups here: " << groups.reason();
  }
  EXPECT_FALSE(groups.tasksBounded());
  EXPECT_NE(groups.taskReason().find("cannot bound a group's tasks"), std::string::npos) << groups.taskReason();
  setMemoryCgroups(groups);
  const fs::path server = dataDir / "rds" / "instances" / "db-UNTASKED";
  const Confinement bounded = boundedAt(server, 64ull << 20);
  auto where = runProcess({"/bin/cat", "/proc/self/cgroup"}, EngineUser{}, "", std::chrono::seconds(10), {}, bounded);
  EXPECT_TRUE(where.ok()) << where.output;
  EXPECT_NE(where.output.find(groups.groupDir(server).filename().string()), std::string::npos) << where.output;
  groups.remove(server);
  groups.close();
  setMemoryCgroups(MemoryCgroups());
  fs::remove_all(dataDir);
}

TEST(MemoryCgroupTest, OtherControllersAreFoundInTheirOwnHierarchy) {
  const std::string mountinfo =
      "30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "31 25 0:27 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
  CgroupPlace pids = locateCgroup(mountinfo, "8:pids:/user.slice\n4:memory:/kura\n", "pids");
  EXPECT_EQ(pids.version, CgroupVersion::v1);
  EXPECT_EQ(pids.dir, fs::path("/sys/fs/cgroup/pids/user.slice"));
  EXPECT_EQ(locateCgroup(mountinfo, "4:memory:/kura\n", "pids").version, CgroupVersion::none);
}

}  // namespace
}  // namespace kura::engines
