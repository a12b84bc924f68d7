#include "engines/confinement.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace kura::engines {
namespace {

// Landlock's user interface (linux/landlock.h), spelled out here: the
// header of the distribution may predate the rights and scopes used below,
// and each is used only on a kernel whose ABI version has it.
constexpr uint64_t kExecute = 1ULL << 0;
constexpr uint64_t kWriteFile = 1ULL << 1;
constexpr uint64_t kReadFile = 1ULL << 2;
constexpr uint64_t kReadDir = 1ULL << 3;
constexpr uint64_t kAbi1Rights = (1ULL << 13) - 1;  // execute ... make_sym
constexpr uint64_t kRefer = 1ULL << 13;              // ABI 2
constexpr uint64_t kTruncate = 1ULL << 14;           // ABI 3
constexpr uint64_t kIoctlDev = 1ULL << 15;           // ABI 5
// The rights a rule on a file (not a directory) may carry.
constexpr uint64_t kFileRights = kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;
constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
constexpr uint64_t kScopeSignal = 1ULL << 1;              // ABI 6
constexpr uint64_t kNetBindTcp = 1ULL << 0;               // ABI 4
constexpr unsigned kCreateRulesetVersion = 1U << 0;
constexpr int kRulePathBeneath = 1;
constexpr int kRuleNetPort = 2;

struct RulesetAttr {
  uint64_t handledAccessFs = 0;
  uint64_t handledAccessNet = 0;  // ABI 4: which TCP ports it may bind
  uint64_t scoped = 0;            // ABI 6
};

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowedAccess = 0;
  int32_t parentFd = -1;
};

struct NetPortAttr {
  uint64_t allowedAccess = 0;
  uint64_t port = 0;
};

uint64_t handledRights(int abi) {
  uint64_t rights = kAbi1Rights;
  if (abi >= 2) rights |= kRefer;
  if (abi >= 3) rights |= kTruncate;
  if (abi >= 5) rights |= kIoctlDev;
  return rights;
}

// A rule granting `rights` below `path`, restricted to what the ruleset
// handles (and, on a file, to a file's rights). `follow`: the system's
// paths may be links (/bin to /usr/bin); Kura's own never are, and a link
// planted in place of one is refused, never followed to what it names.
bool addRule(int ruleset, const std::filesystem::path& path, uint64_t rights, uint64_t handled, bool follow) {
  int flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
  UniqueFd fd(::open(path.c_str(), flags));
  if (!fd) return false;
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return false;
  if (!follow && S_ISLNK(info.st_mode)) {
    errno = ELOOP;
    return false;
  }
  PathBeneathAttr rule;
  rule.allowedAccess = rights & handled & (S_ISDIR(info.st_mode) ? ~0ULL : kFileRights);
  rule.parentFd = fd.get();
  return ::syscall(SYS_landlock_add_rule, ruleset, kRulePathBeneath, &rule, 0) == 0;
}

}  // namespace

int landlockAbi() {
  static const int abi = [] {
    long version = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
    return version > 0 ? static_cast<int>(version) : 0;
  }();
  return abi;
}

ConfinementRuleset confinementRuleset(const Confinement& confinement) {
  ConfinementRuleset result;
  const int abi = landlockAbi();
  if (abi < 1 || !confinement.active()) return result;
  RulesetAttr attr;
  attr.handledAccessFs = handledRights(abi);
  size_t size = sizeof(uint64_t);
  if (abi >= 4) {
    size = 2 * sizeof(uint64_t);
    if (!confinement.listenPorts.empty()) attr.handledAccessNet = kNetBindTcp;
  }
  if (abi >= 6) {
    attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
    size = sizeof(RulesetAttr);
  }
  UniqueFd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, size, 0)));
  if (!ruleset) {
    result.error = std::string("cannot make a Landlock ruleset: ") + std::strerror(errno);
    return result;
  }
  const uint64_t all = attr.handledAccessFs;
  const uint64_t read = kReadFile | kReadDir;
  // The system: programs, libraries, their data and settings (time zones,
  // certificates, the user database), and the kernel's views of the process.
  for (const char* system : {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"}) {
    addRule(ruleset.get(), system, read | kExecute, all, true);  // a missing one is no error
  }
  for (const char* view : {"/proc", "/sys"}) addRule(ruleset.get(), view, read, all, true);
  for (const char* device : {"/dev/null", "/dev/zero", "/dev/full"}) {
    addRule(ruleset.get(), device, kReadFile | kWriteFile | kTruncate | kIoctlDev, all, true);
  }
  for (const char* device : {"/dev/urandom", "/dev/random"}) addRule(ruleset.get(), device, kReadFile, all, true);
  for (const auto& path : confinement.readable) {
    if (!addRule(ruleset.get(), path, read, all, false) && errno != ENOENT) {
      result.error = "cannot confine the server to " + path.string() + ": " + std::strerror(errno);
      return result;
    }
  }
  for (const auto& path : confinement.writable) {
    if (!addRule(ruleset.get(), path, all, all, false)) {
      result.error = "cannot confine the server to " + path.string() + ": " + std::strerror(errno);
      return result;
    }
  }
  if (attr.handledAccessNet != 0) {
    for (int port : confinement.listenPorts) {
      NetPortAttr rule{kNetBindTcp, static_cast<uint64_t>(port)};
      if (port <= 0 || port > 65535 || ::syscall(SYS_landlock_add_rule, ruleset.get(), kRuleNetPort, &rule, 0) != 0) {
        result.error = "cannot let the server listen on port " + std::to_string(port) + ": " + std::strerror(errno);
        return result;
      }
    }
    // Port 0 (an ephemeral port, which a client may bind before it
    // connects) takes no one's port: allowed where the kernel reads it so.
    NetPortAttr ephemeral{kNetBindTcp, 0};
    ::syscall(SYS_landlock_add_rule, ruleset.get(), kRuleNetPort, &ephemeral, 0);
  }
  result.fd = std::move(ruleset);
  return result;
}

bool enterConfinement(int rulesetFd) {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return ::syscall(SYS_landlock_restrict_self, rulesetFd, 0) == 0;
}

}  // namespace kura::engines
