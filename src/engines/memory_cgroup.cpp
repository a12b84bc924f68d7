#include "engines/memory_cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <thread>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "common/crypto.h"

namespace kura::engines {
namespace fs = std::filesystem;
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

bool listHas(std::string_view list, std::string_view word, char separator) {
  for (std::string_view part : split(list, separator)) {
    if (part == word) return true;
  }
  return false;
}

// mountinfo writes a space, a tab, a newline and a backslash in a path as
// three octal digits after a backslash.
std::string unescapeMountPath(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      std::string_view digits = text.substr(i + 1, 3);
      if (digits.find_first_not_of("01234567") == std::string_view::npos) {
        out += static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

struct Mount {
  std::string root;  // the cgroup the mount shows at its mount point
  std::string point;
};

// `path` (a cgroup, as /proc/self/cgroup names it) as a directory of `mount`.
std::optional<fs::path> placeIn(const Mount& mount, std::string_view path) {
  if (mount.root != "/") {
    if (!path.starts_with(mount.root) || (path.size() > mount.root.size() && path[mount.root.size()] != '/')) {
      return std::nullopt;  // not visible in this mount
    }
    path.remove_prefix(mount.root.size());
  }
  while (path.starts_with('/')) path.remove_prefix(1);
  return path.empty() ? fs::path(mount.point) : fs::path(mount.point) / std::string(path);
}

std::string errorText(int error) { return std::strerror(error); }

// Writes `text` to a cgroup file, in one write as the kernel wants it.
bool writeControl(const fs::path& file, std::string_view text) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return false;
  return ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

std::string readControl(const fs::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return "";
  std::string text = readAll(fd.get(), 64 * 1024).value_or("");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::vector<int> groupMembers(const fs::path& group) {
  std::vector<int> pids;
  UniqueFd fd(::open((group / "cgroup.procs").c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return pids;
  const std::string text = readAll(fd.get(), 1 << 20).value_or("");
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    int pid = 0;
    auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + end, pid);
    if (ec == std::errc() && ptr == text.data() + end && pid > 1) pids.push_back(pid);
    start = end + 1;
  }
  return pids;
}

namespace {

bool makeDir(const fs::path& dir) { return ::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST; }

// cgroup v2: hands the pids controller down too where `dir` has it (a
// kernel or a delegation without it leaves tasks unbounded); whether its
// children have it.
bool handDownTasks(const fs::path& dir) {
  if (listHas(readControl(dir / "cgroup.subtree_control"), "pids", ' ')) return true;
  return listHas(readControl(dir / "cgroup.controllers"), "pids", ' ') &&
         writeControl(dir / "cgroup.subtree_control", "+pids");
}

// cgroup v2 lets a cgroup give its children a controller only while it
// holds no process itself: Kura leaves its own cgroup for a leaf beside its
// engines' groups, then hands the memory controller down. A cgroup that
// holds another process too (a shell that started Kura) is not Kura's to
// divide: Kura leaves it as it was and runs its servers unbounded.
std::string delegateV2(const fs::path& own) {
  if (!listHas(readControl(own / "cgroup.controllers"), "memory", ' ')) {
    return "cgroup v2 does not give Kura's cgroup " + own.string() +
           " the memory controller (a systemd unit needs Delegate=yes)";
  }
  if (listHas(readControl(own / "cgroup.subtree_control"), "memory", ' ')) {
    handDownTasks(own);
    return "";
  }
  const std::string self = std::to_string(::getpid());
  for (int member : groupMembers(own)) {
    if (member != ::getpid()) {
      return "Kura's cgroup " + own.string() + " holds other processes than Kura (" + std::to_string(member) + ")";
    }
  }
  const fs::path leaf = own / "kura-supervisor";
  if (!makeDir(leaf)) return "cannot make " + leaf.string() + ": " + errorText(errno);
  if (!writeControl(leaf / "cgroup.procs", self)) {
    std::string refused = "cannot move Kura into " + leaf.string() + ": " + errorText(errno);
    ::rmdir(leaf.c_str());
    return refused;
  }
  if (!writeControl(own / "cgroup.subtree_control", "+memory")) {
    std::string refused = "cannot give " + own.string() + "'s children the memory controller: " + errorText(errno);
    writeControl(own / "cgroup.procs", self);  // back where it was
    ::rmdir(leaf.c_str());
    return refused;
  }
  handDownTasks(own);
  return "";
}

MemoryCgroups& theGroups() {
  static MemoryCgroups groups;
  return groups;
}

}  // namespace

CgroupPlace locateMemoryCgroup(std::string_view mountinfo, std::string_view selfCgroup) {
  return locateCgroup(mountinfo, selfCgroup, "memory");
}

CgroupPlace locateCgroup(std::string_view mountinfo, std::string_view selfCgroup, std::string_view controller) {
  std::vector<Mount> v1, v2;  // a hierarchy may be mounted more than once, each showing part of it
  for (std::string_view line : split(mountinfo, '\n')) {
    size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    std::vector<std::string_view> before = split(line.substr(0, dash), ' ');
    std::vector<std::string_view> after = split(line.substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3) continue;
    Mount mount{unescapeMountPath(before[3]), unescapeMountPath(before[4])};
    if (after[0] == "cgroup2") v2.push_back(mount);
    if (after[0] == "cgroup" && listHas(after[2], controller, ',')) v1.push_back(mount);
  }
  std::optional<std::string_view> v1Path, v2Path;
  for (std::string_view line : split(selfCgroup, '\n')) {
    std::vector<std::string_view> fields = split(line, ':');
    if (fields.size() < 3) continue;
    // The path may hold a colon: it is everything after the second one.
    std::string_view path = line.substr(fields[0].size() + fields[1].size() + 2);
    if (fields[0] == "0" && fields[1].empty()) v2Path = path;
    if (listHas(fields[1], controller, ',')) v1Path = path;
  }
  // A controller lives in one hierarchy only: where v1 has it, v2 has it not.
  if (!v1.empty()) {
    for (const Mount& mount : v1) {
      if (!v1Path) break;
      if (auto dir = placeIn(mount, *v1Path)) return {CgroupVersion::v1, *dir};
    }
    return {};
  }
  for (const Mount& mount : v2) {
    if (!v2Path) break;
    if (auto dir = placeIn(mount, *v2Path)) return {CgroupVersion::v2, *dir};
  }
  return {};
}

uint64_t taskBoundFor(uint64_t bytes, uint64_t ceiling) {
  if (bytes == 0) return 0;
  return std::min(ceiling, std::max(kFewestTasks, bytes / (uint64_t{1} << 20) * kTasksPerMiB));
}

namespace {

uint64_t numberIn(const fs::path& file) {
  const std::string text = readControl(file);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

// The tasks the host lets Kura have: the kernel's bounds, and the pids.max
// of `own` and of every cgroup above it that has one ("max": none).
uint64_t hostTaskLimit(const fs::path& own) {
  uint64_t limit = UINT64_MAX;
  for (const char* kernel : {"/proc/sys/kernel/pid_max", "/proc/sys/kernel/threads-max"}) {
    if (uint64_t value = numberIn(kernel); value > 0) limit = std::min(limit, value);
  }
  for (fs::path dir = own; !dir.empty() && dir != dir.parent_path(); dir = dir.parent_path()) {
    struct stat info {};
    if (::stat((dir / "pids.max").c_str(), &info) != 0) break;  // the hierarchy's root has none
    if (uint64_t value = numberIn(dir / "pids.max"); value > 0) limit = std::min(limit, value);
  }
  return limit;
}

// Whether Kura may make groups under `root` and bound their tasks: a
// directory left by an earlier Kura on a file system Kura can no longer
// write must not count.
std::string tryTaskGroup(const fs::path& root) {
  const fs::path trial = root / "kura-trial";
  if (!makeDir(trial)) return "cannot make a group in " + root.string() + ": " + errorText(errno);
  const bool written = writeControl(trial / "pids.max", "max");
  const int error = errno;
  ::rmdir(trial.c_str());
  return written ? "" : "cannot bound a group's tasks in " + root.string() + ": " + errorText(error);
}

}  // namespace

MemoryCgroups MemoryCgroups::open(const CgroupPlace& place, const fs::path& dataDir, const CgroupPlace& tasks) {
  MemoryCgroups groups;
  if (place.version == CgroupVersion::none) {
    groups.reason_ = "no memory cgroup hierarchy is mounted";
    return groups;
  }
  if (place.version == CgroupVersion::v2) {
    if (std::string refused = delegateV2(place.dir); !refused.empty()) {
      groups.reason_ = refused;
      return groups;
    }
  }
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(dataDir, ec);
  const std::string name = "kura-" + sha256Hex((ec ? dataDir : canonical).string()).substr(0, 12);
  const fs::path root = place.dir / name;
  if (!makeDir(root)) {
    groups.reason_ = "cannot make " + root.string() + ": " + errorText(errno);
    return groups;
  }
  if (place.version == CgroupVersion::v2 && !listHas(readControl(root / "cgroup.subtree_control"), "memory", ' ') &&
      !writeControl(root / "cgroup.subtree_control", "+memory")) {
    groups.reason_ = "cannot give " + root.string() + "'s children the memory controller: " + errorText(errno);
    return groups;
  }
  groups.version_ = place.version;
  groups.root_ = root;
  groups.dataDir_ = dataDir;
  groups.reason_.clear();
  // Tasks: in the same groups with v2 (where the pids controller reaches
  // them), in v1's pids hierarchy under the same name otherwise.
  if (place.version == CgroupVersion::v2) {
    if (handDownTasks(root)) {
      groups.taskRoot_ = root;
    } else {
      groups.taskReason_ = "cgroup v2 does not give " + root.string() + "'s children the pids controller";
    }
  } else if (tasks.version != CgroupVersion::v1) {
    groups.taskReason_ = "no cgroup v1 pids hierarchy is mounted";
  } else if (!makeDir(tasks.dir / name)) {
    groups.taskReason_ = "cannot make " + (tasks.dir / name).string() + ": " + errorText(errno);
  } else if (std::string refused = tryTaskGroup(tasks.dir / name); !refused.empty()) {
    groups.taskReason_ = refused;
    ::rmdir((tasks.dir / name).c_str());
  } else {
    groups.taskRoot_ = tasks.dir / name;
  }
  if (groups.tasksBounded()) {
    groups.taskReason_.clear();
    const fs::path own = place.version == CgroupVersion::v2 ? place.dir : tasks.dir;
    groups.taskCeiling_ = std::max<uint64_t>(1, hostTaskLimit(own) / kHostShareDivisor);
  }
  // Without the kernel's swap accounting there is no bound on swap to
  // write: a v1 group is then told not to swap (memory.swappiness 0).
  struct stat info {};
  groups.swapBounded_ =
      ::stat((root / (place.version == CgroupVersion::v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes")).c_str(),
             &info) == 0;
  return groups;
}

fs::path MemoryCgroups::groupDir(const fs::path& serverDir) const {
  std::string name = serverDir.filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  if (name.size() > 64) name.resize(64);
  // Named for where the server is in the data directory, so that the same
  // server finds its group however the directory is spelled.
  fs::path relative = serverDir.lexically_relative(dataDir_);
  const std::string key = relative.empty() || *relative.begin() == ".." ? serverDir.string() : relative.string();
  return root_ / (name + "-" + sha256Hex(key).substr(0, 12));
}

fs::path MemoryCgroups::taskGroupDir(const fs::path& serverDir) const {
  const fs::path group = groupDir(serverDir);
  return version_ == CgroupVersion::v2 || taskRoot_.empty() ? group : taskRoot_ / group.filename();
}

bool MemoryCgroups::writeTaskBound(const fs::path& serverDir, uint64_t bytes) const {
  if (!tasksBounded()) return true;
  const uint64_t tasks = tasksFor(bytes);
  return writeControl(taskGroupDir(serverDir) / "pids.max", tasks == 0 ? "max" : std::to_string(tasks));
}

bool MemoryCgroups::writeBound(const fs::path& group, uint64_t bytes) const {
  // 0: no bound (a class whose memory Kura does not know): the server still
  // runs in a group of its own, which is emptied when it stops.
  if (version_ == CgroupVersion::v2) {
    if (!writeControl(group / "memory.max", bytes == 0 ? "max" : std::to_string(bytes))) return false;
    // No swap beyond the bound, where the kernel accounts swap.
    return !swapBounded_ || writeControl(group / "memory.swap.max", bytes == 0 ? "max" : "0");
  }
  const std::string text = bytes == 0 ? "-1" : std::to_string(bytes);
  const fs::path memory = group / "memory.limit_in_bytes";
  if (!swapBounded_) return writeControl(group / "memory.swappiness", "0") && writeControl(memory, text);
  // v1 keeps the memory-and-swap bound at or above the memory bound: a
  // raise writes it first, a cut writes it after the memory bound.
  const fs::path withSwap = group / "memory.memsw.limit_in_bytes";
  uint64_t now = 0;
  const std::string current = readControl(memory);
  std::from_chars(current.data(), current.data() + current.size(), now);
  const bool raise = bytes == 0 || bytes > now;
  if (raise) return writeControl(withSwap, text) && writeControl(memory, text);
  return writeControl(memory, text) && writeControl(withSwap, text);
}

MemoryGroup MemoryCgroups::prepare(const fs::path& serverDir, uint64_t bytes) const {
  MemoryGroup group;
  if (!available() || serverDir.empty()) return group;
  const fs::path dir = groupDir(serverDir);
  if (!makeDir(dir)) {
    group.error = "cannot make the memory cgroup " + dir.string() + ": " + errorText(errno);
    return group;
  }
  if (!writeBound(dir, bytes)) {
    // A cut below what the group still holds (a process left from the
    // server before, which its stop did not end): v1 refuses it. The server
    // starts with the bound the group has; the next start takes the cut.
    if (errno != EBUSY) {
      group.error = "cannot bound the memory cgroup " + dir.string() + ": " + errorText(errno);
      return group;
    }
    spdlog::warn("msg=\"the server starts with its group's earlier memory bound: the group holds more than the new one\" "
                 "group={} bytes={}",
                 dir.string(), bytes);
  }
  group.procs = UniqueFd(::open((dir / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!group.procs) {
    group.error = "cannot open " + (dir / "cgroup.procs").string() + ": " + errorText(errno);
    return group;
  }
  if (!tasksBounded()) return group;
  // Tasks: a group that cannot be bounded leaves the server its memory
  // bound alone (said in the log), not unstarted.
  const fs::path tasks = taskGroupDir(serverDir);
  if ((tasks != dir && !makeDir(tasks)) || !writeTaskBound(serverDir, bytes)) {
    spdlog::warn("msg=\"the server starts without a bound on its tasks\" group={} error=\"{}\"", tasks.string(),
                 errorText(errno));
    return group;
  }
  if (tasks != dir) {
    group.taskProcs = UniqueFd(::open((tasks / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!group.taskProcs) {
      spdlog::warn("msg=\"the server starts without a bound on its tasks\" group={} error=\"{}\"", tasks.string(),
                   errorText(errno));
    }
  }
  return group;
}

bool MemoryCgroups::rebound(const fs::path& serverDir, uint64_t bytes) const {
  if (!available()) return true;
  const fs::path dir = groupDir(serverDir);
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) return true;  // not running in one: bounded at its next start
  if (version_ == CgroupVersion::v2 && bytes != 0) {
    // v2 takes a bound below what the group holds and reclaims down to it,
    // killing if it must (v1 refuses it): a cut waits for the next start.
    uint64_t held = 0;
    const std::string current = readControl(dir / "memory.current");
    std::from_chars(current.data(), current.data() + current.size(), held);
    if (held > bytes) return false;
  }
  const bool bounded = writeBound(dir, bytes);
  // A server started without a task group (by an older Kura) gets one at
  // its next start; a failure here is said, not taken for the memory's.
  if (tasksBounded() && ::stat(taskGroupDir(serverDir).c_str(), &info) == 0 && !writeTaskBound(serverDir, bytes)) {
    spdlog::warn("msg=\"cannot move the server's task bound\" group={} error=\"{}\"",
                 taskGroupDir(serverDir).string(), errorText(errno));
  }
  return bounded;
}

void MemoryCgroups::remove(const fs::path& serverDir) const {
  if (!available()) return;
  // A server that stopped leaves no process of its own: what the group
  // still holds was detached from it (a program a superuser started with
  // COPY ... PROGRAM 'setsid ...'), and goes with it. (v1: the same
  // processes are in its group of the pids hierarchy, removed after.)
  std::vector<fs::path> dirs = {groupDir(serverDir)};
  if (taskGroupDir(serverDir) != dirs.front()) dirs.push_back(taskGroupDir(serverDir));
  for (const fs::path& dir : dirs) {
    int attempt = 0;
    while (::rmdir(dir.c_str()) != 0 && errno == EBUSY) {
      if (++attempt == 50) {
        spdlog::warn("msg=\"a stopped server's cgroup still holds processes\" group={}", dir.string());
        break;
      }
      endMembers(dir);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

size_t MemoryCgroups::endMembers(const fs::path& group) const {
  // cgroup v2 kills a group's processes at once (Linux 5.14).
  if (version_ == CgroupVersion::v2 && writeControl(group / "cgroup.kill", "1")) return 1;
  size_t ended = 0;
  const std::vector<int> listed = groupMembers(group);
  // In pieces, so that a group of thousands takes few descriptors at once.
  constexpr size_t kPiece = 64;
  for (size_t from = 0; from < listed.size(); from += kPiece) {
    // Held by a descriptor, a process is the one signalled even if it exits
    // meanwhile and its number goes to another; still listed after it was
    // opened, it is one of the group's (a number taken again is in the
    // group only if a member forked it).
    std::vector<std::pair<int, UniqueFd>> opened;
    for (size_t i = from; i < std::min(listed.size(), from + kPiece); ++i) {
      UniqueFd process(static_cast<int>(::syscall(SYS_pidfd_open, listed[i], 0)));
      if (process && listed[i] != ::getpid()) opened.emplace_back(listed[i], std::move(process));
    }
    std::vector<int> still = groupMembers(group);
    std::sort(still.begin(), still.end());
    for (const auto& [pid, process] : opened) {
      if (!std::binary_search(still.begin(), still.end(), pid)) continue;
      if (::syscall(SYS_pidfd_send_signal, process.get(), SIGKILL, nullptr, 0) == 0) ++ended;
    }
  }
  return ended;
}

void MemoryCgroups::sweep() const {
  if (!available()) return;
  std::vector<fs::path> roots = {root_};
  if (!taskRoot_.empty() && taskRoot_ != root_) roots.push_back(taskRoot_);  // v1's pids hierarchy
  for (const fs::path& root : roots) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      if (entry.is_directory(ec)) ::rmdir(entry.path().c_str());  // one holding a process stays (EBUSY)
    }
  }
}

void MemoryCgroups::close() const {
  if (!available()) return;
  sweep();
  ::rmdir(root_.c_str());
  if (!taskRoot_.empty() && taskRoot_ != root_) ::rmdir(taskRoot_.c_str());
}

const MemoryCgroups& memoryCgroups() { return theGroups(); }

void setMemoryCgroups(MemoryCgroups groups) { theGroups() = std::move(groups); }

}  // namespace kura::engines
