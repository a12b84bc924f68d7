#pragma once
// Bounds the memory of an engine's server, every process it starts
// together, with a memory cgroup of its own: a PostgreSQL or MariaDB server
// is many processes, and a master user may raise each session's memory
// (SET work_mem, a large sort buffer) as far as the host lets it. A bound
// per process (RLIMIT_AS, as cache nodes have) would not bound them all.
// Within its group the server meets the kernel's OOM killer at its own
// instance class's memory, as an RDS instance does at its own, and the
// other tenants' servers and Kura keep theirs.
//
// The same groups bound how many tasks (processes and threads) a server
// may hold, where the kernel's pids controller reaches them: a program a
// superuser runs (COPY ... PROGRAM) could otherwise fork until the host has
// no process number left for anyone, Kura included. The bound follows the
// memory's (kTasksPerMiB), far above what a server's own connections need.
//
// Kura makes the groups below its own cgroup: with cgroup v2 where the
// memory controller reaches Kura's cgroup (a systemd unit with Delegate=yes,
// packaging/kura.service), or in cgroup v1's memory hierarchy where Kura may
// write it (root). Elsewhere (a container without a writable cgroup file
// system, an unprivileged Kura without delegation) servers run unbounded, as
// before; Kura says so once at start.
//
// The cgroup files are written with plain system calls: Debian ships
// libcgroup, but only for v1 and with far more than this needs.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/confined_file.h"

namespace kura::engines {

enum class CgroupVersion { none, v1, v2 };

// Kura's own memory cgroup: where it is in the file system, and which
// hierarchy holds it.
struct CgroupPlace {
  CgroupVersion version = CgroupVersion::none;
  std::filesystem::path dir;
};

// Finds Kura's memory cgroup from the text of /proc/self/mountinfo and
// /proc/self/cgroup: the v2 hierarchy when it is mounted (whether it offers
// the memory controller is the directory's to say), else the v1 one that
// has the memory controller. version none: neither.
CgroupPlace locateMemoryCgroup(std::string_view mountinfo, std::string_view selfCgroup);
// The same for another controller (v1: the hierarchy that has it).
CgroupPlace locateCgroup(std::string_view mountinfo, std::string_view selfCgroup, std::string_view controller);

// The most tasks a server bounded to `bytes` of memory may hold: one a MiB,
// at least kFewestTasks, and never more than `ceiling`; 0 (no bound) for an
// unbounded server. Ten times RDS's default max_connections for the class
// (a backend process or a connection's thread each: a db.t3.micro's 1 GiB
// gives about a hundred connections and 1,024 tasks).
inline constexpr uint64_t kTasksPerMiB = 1;
inline constexpr uint64_t kFewestTasks = 512;
uint64_t taskBoundFor(uint64_t bytes, uint64_t ceiling = UINT64_MAX);
// A server may hold at most this share of the tasks the host lets Kura
// have (the kernel's pid_max and threads-max, and the pids.max of Kura's
// cgroup and those above it, as a systemd unit's TasksMax=): a class of
// 32 GiB would otherwise be allowed every process number of a host whose
// pid_max is 32,768, and none would be left for Kura.
inline constexpr uint64_t kHostShareDivisor = 8;

// A group made ready for a server: its cgroup.procs, open for writing, for
// the server's first process to write "0" into between fork and exec (it
// joins, and every process it starts is born inside). No descriptor and no
// error: Kura has no memory cgroups here, the server runs unbounded.
struct MemoryGroup {
  UniqueFd procs;
  // cgroup v1: the server's group in the pids hierarchy, joined the same way.
  UniqueFd taskProcs;
  std::string error;
};

class MemoryCgroups {
 public:
  // None: servers run unbounded.
  MemoryCgroups() = default;
  // Kura's groups under `place`, in a directory named for the data
  // directory (so that two Kuras sharing a cgroup never share a group).
  // Makes that directory, and for v2 moves Kura into a leaf of its own and
  // hands the memory controller down (v2 lets no cgroup both hold processes
  // and give its children controllers); a v2 cgroup holding any other
  // process is left as it is. Fails, with a reason, where any step is
  // refused.
  // `tasks` is Kura's cgroup in v1's pids hierarchy (none: tasks are not
  // bounded; with v2 the memory groups bound them where the pids
  // controller reaches Kura's cgroup).
  static MemoryCgroups open(const CgroupPlace& place, const std::filesystem::path& dataDir,
                            const CgroupPlace& tasks = {});

  bool available() const { return version_ != CgroupVersion::none; }
  CgroupVersion version() const { return version_; }
  // Why there are none (empty when available()).
  const std::string& reason() const { return reason_; }
  // Whether the kernel accounts swap, so that a group's swap is bounded
  // too (otherwise v1 groups are told not to swap, and v2 ones may).
  bool swapBounded() const { return swapBounded_; }
  // The directory holding this Kura's groups.
  const std::filesystem::path& root() const { return root_; }
  // Whether servers' tasks are bounded too; where their groups are (v1:
  // the pids hierarchy's; v2: root()).
  bool tasksBounded() const { return !taskRoot_.empty(); }
  const std::filesystem::path& taskRoot() const { return taskRoot_; }
  // Why tasks are not bounded (empty when they are).
  const std::string& taskReason() const { return taskReason_; }
  // The most tasks any server may hold here (a share of the host's), and
  // what a server bounded to `bytes` of memory may hold.
  uint64_t taskCeiling() const { return taskCeiling_; }
  uint64_t tasksFor(uint64_t bytes) const { return taskBoundFor(bytes, taskCeiling_); }

  // The group of the server whose files are at `serverDir` (made if need
  // be; none for an empty path), bound to `bytes` (0: unbounded) with no
  // swap beyond it, and to tasksFor(bytes) tasks (where the task group
  // cannot be made, the server starts with its memory bound alone, and
  // the log says so); ready to join.
  MemoryGroup prepare(const std::filesystem::path& serverDir, uint64_t bytes) const;
  // Moves a running server's bound (an instance class changed); false when
  // a lower bound is below what the group holds (v1's kernel refuses it;
  // on v2 Kura does not ask, as the kernel would kill to reach it): the
  // server takes it at its next start.
  // The task bound follows (a server started without a task group, by an
  // older Kura, gets one at its next start).
  bool rebound(const std::filesystem::path& serverDir, uint64_t bytes) const;
  // Removes the group of a server that no longer runs, killing first what
  // it still holds: processes detached from the server, which would keep
  // its grants (its Landlock domain) and run on unseen.
  void remove(const std::filesystem::path& serverDir) const;
  // Removes every empty group of this Kura's: servers that stopped, or were
  // deleted while Kura was down.
  void sweep() const;
  // At Kura's stop: sweep(), then the directory of its groups, once empty
  // (a server left running, which the next Kura adopts, keeps both).
  void close() const;
  // The group's directory (whether or not it exists).
  std::filesystem::path groupDir(const std::filesystem::path& serverDir) const;
  // Its group bounding tasks (v2: the same; v1: the pids hierarchy's).
  std::filesystem::path taskGroupDir(const std::filesystem::path& serverDir) const;

 private:
  bool writeBound(const std::filesystem::path& group, uint64_t bytes) const;
  bool writeTaskBound(const std::filesystem::path& serverDir, uint64_t bytes) const;
  // Sends SIGKILL to every process of the group; how many were sent one.
  size_t endMembers(const std::filesystem::path& group) const;

  CgroupVersion version_ = CgroupVersion::none;
  std::filesystem::path root_;
  std::filesystem::path taskRoot_;  // empty: tasks not bounded
  std::string taskReason_ = "no pids cgroup was looked for";
  uint64_t taskCeiling_ = UINT64_MAX;
  std::filesystem::path dataDir_;
  bool swapBounded_ = false;
  std::string reason_ = "no memory cgroup was looked for";
};

// The processes a group's cgroup.procs lists, whole lines only: a list cut
// at the read's bound (1 MiB: a tenant's many thousands of processes) must
// not yield a number cut short, which would name another process.
std::vector<int> groupMembers(const std::filesystem::path& group);

// The process's groups: set once by `kura serve` before any engine starts.
const MemoryCgroups& memoryCgroups();
void setMemoryCgroups(MemoryCgroups groups);

}  // namespace kura::engines
