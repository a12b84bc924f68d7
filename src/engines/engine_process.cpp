#include "engines/engine_process.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/confined_file.h"
#include "common/descriptor_shortage.h"
#include "common/tool_cut.h"
#include "engines/memory_cgroup.h"

namespace kura::engines {
namespace {

constexpr size_t kMaxOutput = 64 * 1024;

// Kura runs engines as their own users when it may switch users: as root,
// or as an unprivileged user given CAP_SETUID and CAP_SETGID (the systemd
// unit, packaging/kura.service). Otherwise engines run as Kura's user.
bool canSwitchUsers() {
  if (::geteuid() == 0) return true;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  auto has = [&](unsigned cap) { return (data[cap / 32].effective & (1u << (cap % 32))) != 0; };
  return has(CAP_SETUID) && has(CAP_SETGID);
}

}  // namespace

std::optional<EngineUser> engineUser(const std::string& name) {
  EngineUser user;
  if (!canSwitchUsers()) return user;
  struct passwd* entry = ::getpwnam(name.c_str());
  if (entry == nullptr) return std::nullopt;
  user.drop = true;
  user.uid = entry->pw_uid;
  user.gid = entry->pw_gid;
  user.name = name;
  return user;
}

ProcessResult runProcess(const std::vector<std::string>& argv, const EngineUser& user, const std::string& stdinText,
                         std::chrono::seconds timeout, const std::vector<std::string>& extraEnv,
                         const Confinement& confinement) {
  // A reconcile step's tool asked for while its reconciler stops is not started.
  if (toolCutDue()) cutShort();
  ProcessResult result;
  // Made before the fork (it opens the paths it names); entered by the child.
  ConfinementRuleset rules = confinementRuleset(confinement);
  if (!rules.error.empty()) {
    result.output = rules.error;
    return result;
  }
  // Made ready before the fork too: the child only joins it.
  MemoryGroup group = memoryCgroups().prepare(confinement.memoryGroupOf, confinement.memoryBytes);
  if (!group.error.empty()) {
    result.output = group.error;
    return result;
  }
  int output[2], input[2];
  // Out of descriptors, a tool cannot run: noted, so that a probe made of a
  // tool (pg_ctl status, redis-cli PING) is judged unknown, not down.
  if (::pipe2(output, O_CLOEXEC) != 0) {
    noteDescriptorError(errno);
    return result;
  }
  if (::pipe2(input, O_CLOEXEC) != 0) {
    noteDescriptorError(errno);
    ::close(output[0]);
    ::close(output[1]);
    return result;
  }
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> envStrings = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8"};
  envStrings.push_back("HOME=" + std::string(user.drop ? "/var/lib/postgresql" : (getenv("HOME") ? getenv("HOME") : "/")));
  envStrings.insert(envStrings.end(), extraEnv.begin(), extraEnv.end());
  std::vector<char*> env;
  for (auto& entry : envStrings) env.push_back(entry.data());
  env.push_back(nullptr);

  // Prepared before the fork: the child may only make system calls.
  __user_cap_header_struct capHeader{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct noCaps[2]{};
  const pid_t kura = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return result;
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Kura blocks SIGTERM and SIGINT (taken by sigwait) and ignores SIGPIPE:
    // both would pass through exec, and a server that does not reset them
    // itself (Redis) would ignore the SIGTERM that stops it.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(input[0], STDIN_FILENO);
    ::dup2(output[1], STDOUT_FILENO);
    ::dup2(output[1], STDERR_FILENO);
    ::setsid();
    // Into its memory cgroup before it starts anything: what it forks is
    // born inside. As Kura's user, who may write the group.
    if (group.procs && ::write(group.procs.get(), "0", 1) != 1) _exit(126);
    if (group.taskProcs && ::write(group.taskProcs.get(), "0", 1) != 1) _exit(126);
    // Before its descriptor goes with the others below.
    if (rules.fd && !enterConfinement(rules.fd.get())) _exit(126);
    // No core file from anything Kura starts: an engine's memory holds its
    // tenants' data and passwords, and a tenant who can crash its own server
    // at will (a Lua script past its node's bound) would have a core as
    // large as that memory written into its folder at every crash, filling
    // the shared disk and holding the restart back while it is written.
    // Hard and soft: a server may not raise it again.
    const rlimit noCore{0, 0};
    if (::setrlimit(RLIMIT_CORE, &noCore) != 0) _exit(126);
    if (confinement.addressSpaceBytes > 0) {
      // The soft limit bounds; the hard one stays open, so that Kura (as
      // the engine's user) can move the bound of a running node whose type
      // changed. No tenant of a cache node runs code that could raise it.
      const rlimit bound{confinement.addressSpaceBytes, RLIM_INFINITY};
      if (::setrlimit(RLIMIT_AS, &bound) != 0) _exit(126);
    }
    // Nothing of Kura's (its listening socket above all) may outlive it in
    // an engine: close every other descriptor.
    ::close_range(3, ~0U, 0);
    if (user.drop) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0) _exit(126);
      // Leaving root, setuid() dropped every capability; an unprivileged
      // Kura given capabilities (ambient ones pass through exec) keeps them
      // across setuid(): the engine must get none.
      ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
      if (::syscall(SYS_capset, &capHeader, noCaps) != 0) _exit(126);
    } else if (::getuid() != 0) {
      // A tool run as Kura's own unprivileged user (redis-cli towards a
      // node a tenant reaches, tar, ...) gets none of the capabilities the
      // service gives Kura either.
      ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
      if (::syscall(SYS_capset, &capHeader, noCaps) != 0) _exit(126);
    }
    // A change of user clears the parent-death signal: set again, so that a
    // tool run as the engine user (mariadb-backup, pg_basebackup, cp) dies
    // with Kura too, and never works on beside the next Kura's attempt. A
    // Kura already gone meanwhile: nothing is run.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != kura) _exit(126);
    ::execve(args[0], args.data(), env.data());
    _exit(127);
  }
  ::close(input[0]);
  ::close(output[1]);
  if (!stdinText.empty()) {
    size_t written = 0;
    while (written < stdinText.size()) {
      ssize_t n = ::write(input[1], stdinText.data() + written, stdinText.size() - written);
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
  }
  ::close(input[1]);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  bool timedOut = false;
  bool cut = false;
  while (true) {
    if (toolCutDue()) {
      cut = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timedOut = true;
      break;
    }
    pollfd fd{output[0], POLLIN, 0};
    int ready = ::poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    ssize_t n = ::read(output[0], buffer, sizeof(buffer));
    if (n <= 0) break;  // EOF: every writer closed (a daemon child may keep it open: see pg_ctl -l)
    if (result.output.size() < kMaxOutput) result.output.append(buffer, static_cast<size_t>(n));
  }
  ::close(output[0]);
  if (timedOut || cut) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!timedOut && !cut && WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
  if (timedOut) result.output += "\n(timed out)";
  if (cut) cutShort();
  return result;
}

namespace {

// A pid file sits in the engine's directory: a link planted in its place is
// not followed, a FIFO does not block and /dev/zero is not a regular file;
// at most 4 KiB is read.
std::string readSmallFile(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) noteDescriptorError(errno);  // a pid file unread for lack of descriptors proves nothing
  struct stat info {};
  if (!fd || ::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) return "";
  std::string text = readAll(fd.get(), 4096).value_or("");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

bool processAlive(int pid) {
  if (pid <= 1 || ::kill(pid, 0) != 0) return false;
  // A daemon's parent is init, which in a container may never reap it.
  std::string stat = readSmallFile(std::filesystem::path("/proc") / std::to_string(pid) / "stat");
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

namespace {

// The pid a pid file names (read without following a link), or 0.
int pidInFile(const std::filesystem::path& pidFile) {
  std::string text = readSmallFile(pidFile);
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoi(text);
}

}  // namespace

int daemonPid(const std::filesystem::path& pidFile, const std::string& comm) {
  int pid = pidInFile(pidFile);
  if (pid == 0 || !processAlive(pid)) return 0;
  if (readSmallFile(std::filesystem::path("/proc") / std::to_string(pid) / "comm") != comm) return 0;
  return pid;
}

bool daemonExited(const std::filesystem::path& pidFile) {
  int pid = pidInFile(pidFile);
  return pid != 0 && !processAlive(pid);
}

bool waitUntil(const std::function<bool()>& ready, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    if (toolCutDue()) cutShort();  // a reconcile step's wait ends with Kura's stop
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ready();
}

DirResult prepareEngineDir(const std::filesystem::path& dir, const EngineUser& user,
                           const std::filesystem::path& dataDir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return {false, "cannot create " + dir.string() + ": " + ec.message()};
  // The directory may sit in one the engine writes (a node's in its
  // instance's, the socket directory in the instance's): a link planted in
  // its place is removed, never followed, and the directory is changed
  // through a descriptor of its own, so no chown or chmod lands elsewhere.
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd && (errno == ELOOP || errno == ENOTDIR) && fs::is_symlink(fs::symlink_status(dir, ec))) {
    fs::remove(dir, ec);
    fs::create_directory(dir, ec);
    fd = UniqueFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  }
  if (!fd) return {false, "cannot open " + dir.string() + " as a directory: " + std::strerror(errno)};
  // Before it is given away: once the engine user's, only its owner (or
  // CAP_FOWNER, which Kura's service does not have) may change its mode.
  ::fchmod(fd.get(), 0700);
  if (user.drop) {
    // The engine user owns its directories; the ones above must let it pass.
    if (::fchown(fd.get(), user.uid, user.gid) != 0) {
      return {false, "cannot give " + dir.string() + " to the engine user"};
    }
    fs::path absolute = fs::absolute(dir).lexically_normal();
    for (fs::path parent = absolute.parent_path(); !parent.empty() && parent != parent.root_path();
         parent = parent.parent_path()) {
      struct stat info {};
      if (::stat(parent.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) != 0) continue;
      bool inside = parent.string().rfind(dataDir.string(), 0) == 0;
      if (!inside) {
        return {false, "the engine user '" + user.name + "' cannot reach " + parent.string() +
                           ": make it traversable (chmod o+x) or put the data directory elsewhere"};
      }
      ::chmod(parent.c_str(), (info.st_mode & 07777) | S_IXOTH);
    }
  }
  return {};
}

DirResult giveTree(const std::filesystem::path& dir, const EngineUser& user) {
  namespace fs = std::filesystem;
  if (!user.drop) return {};
  auto give = [&](const fs::path& path) { return ::lchown(path.c_str(), user.uid, user.gid) == 0; };
  if (!give(dir)) return {false, "cannot give " + dir.string() + " to the engine user"};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!give(it->path())) return {false, "cannot give " + it->path().string() + " to the engine user"};
  }
  if (ec) return {false, "cannot list " + dir.string() + ": " + ec.message()};
  return {};
}

}  // namespace kura::engines
