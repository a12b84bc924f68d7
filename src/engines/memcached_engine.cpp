#include "engines/memcached_engine.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>

#include "common/descriptor_shortage.h"
#include "common/server_certificate.h"
#include "engines/tcp_probe.h"
#include "engines/tls_probe.h"

namespace kura::engines {
namespace fs = std::filesystem;

namespace {

constexpr const char* kServer = "/usr/bin/memcached";

fs::path pidFile(const MemcachedLayout& layout) { return layout.dir / "memcached.pid"; }

// One `version` exchange over the text protocol, bounded in time. (No
// memcached client library is among Kura's dependencies; this is all a
// health check needs.)
bool answersVersion(const std::string& address, int port, int timeoutMs) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    noteDescriptorError(errno);
    return false;
  }
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::inet_pton(AF_INET, address.c_str(), &target.sin_addr) == 1;
  if (ok && ::connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof(target)) != 0 && errno != EINPROGRESS) ok = false;
  pollfd wait{fd, POLLOUT, 0};
  ok = ok && ::poll(&wait, 1, timeoutMs) == 1 && (wait.revents & POLLOUT) != 0;
  ok = ok && ::send(fd, "version\r\n", 9, MSG_NOSIGNAL) == 9;
  char reply[64] = {};
  wait = {fd, POLLIN, 0};
  ok = ok && ::poll(&wait, 1, timeoutMs) == 1 && ::recv(fd, reply, sizeof(reply) - 1, 0) > 8;
  ::close(fd);
  return ok && std::string(reply).rfind("VERSION ", 0) == 0;
}

}  // namespace

MemcachedEngine::MemcachedEngine(EngineUser user, fs::path dataDir)
    : user_(std::move(user)), dataDir_(std::move(dataDir)) {}

std::string MemcachedEngine::installedVersion() {
  if (!fs::exists(kServer)) return "";
  auto result = runProcess({kServer, "-V"}, EngineUser{}, "", std::chrono::seconds(10));
  // "memcached 1.6.18"
  size_t space = result.output.find(' ');
  if (!result.ok() || space == std::string::npos) return "";
  std::string version = result.output.substr(space + 1);
  while (!version.empty() && (version.back() == '\n' || version.back() == ' ')) version.pop_back();
  return version;
}

int MemcachedEngine::pidOf(const MemcachedLayout& layout) const { return daemonPid(pidFile(layout), "memcached"); }

std::string memcachedListenAddress(const MemcachedLayout& layout) {
  return layout.exposed ? layout.address : "127.0.0.1";
}

bool MemcachedEngine::running(const MemcachedLayout& layout) const { return pidOf(layout) > 0; }

bool MemcachedEngine::healthy(const MemcachedLayout& layout) const {
  own_.begin(layout.port);
  bool answers = layout.tls != nullptr ? probeTls(layout.port, layout.dir / kCaBundleFile, "version\r\n", 8,
                                                  std::chrono::seconds(1)) == "VERSION "
                                       : answersVersion(memcachedListenAddress(layout), layout.port, 1000);
  // Counted when it answered (one refused at its start never reached it).
  own_.end(layout.port, answers);
  return answers;
}

std::optional<std::string> MemcachedEngine::stats(const MemcachedLayout& layout, uint64_t* ownOpen) const {
  // `quit` makes memcached close the connection once the STAT lines are sent.
  constexpr std::string_view kRequest = "stats\r\nquit\r\n";
  constexpr size_t kMaxAnswer = 64 * 1024;
  constexpr auto kTimeout = std::chrono::seconds(2);
  own_.begin(layout.port);
  std::string answer = layout.tls != nullptr
                           ? probeTls(layout.port, layout.dir / kCaBundleFile, kRequest, kMaxAnswer, kTimeout)
                           : probeTcp(layout.port, kRequest, kMaxAnswer, kTimeout);
  if (ownOpen != nullptr) *ownOpen = own_.open(layout.port);
  own_.end(layout.port, !answer.empty());
  size_t end = answer.find("END\r\n");
  if (answer.rfind("STAT ", 0) != 0 || end == std::string::npos) return std::nullopt;
  return answer.substr(0, end);
}

Result<bool> MemcachedEngine::start(const MemcachedLayout& layout) {
  auto made = prepareEngineDir(layout.dir, user_, dataDir_);
  if (!made.ok) return ApiError::internal(made.error);
  if (!running(layout)) {
    own_.reset(layout.port);
    std::error_code ec;
    fs::remove(pidFile(layout), ec);
    std::vector<std::string> argv = {kServer, "-d", "-P", pidFile(layout).string(), "-p", std::to_string(layout.port),
                                     "-U", "0", "-l", memcachedListenAddress(layout), "-m", std::to_string(layout.memoryMegabytes)};
    argv.insert(argv.end(), layout.options.begin(), layout.options.end());
    // memcached refuses root unless told whom to run as; Kura already
    // dropped to the engine user then, and names it again.
    if (user_.drop) {
      argv.push_back("-u");
      argv.push_back(user_.name);
    }
    if (layout.tls != nullptr) {
      std::vector<std::string> names = {"127.0.0.1", "localhost"};
      if (layout.address != "127.0.0.1") names.insert(names.begin(), layout.address);
      std::optional<FileOwner> owner;
      if (user_.drop) owner = FileOwner{static_cast<uid_t>(user_.uid), static_cast<gid_t>(user_.gid)};
      if (auto written = writeServerCertificate(*layout.tls, layout.dir, names, owner); !written) {
        return written.error();
      }
      // TLS on the node's one listener; clients are not asked for certificates.
      argv.insert(argv.end(), {"-Z", "-o",
                               "ssl_chain_cert=" + (layout.dir / kServerCertificateFile).string() +
                                   ",ssl_key=" + (layout.dir / kServerKeyFile).string() +
                                   ",ssl_ca_cert=" + (layout.dir / kCaBundleFile).string()});
    }
    // Confined to the node's directory (confinement.h): its pid file and
    // certificate are there.
    // Its memory bounded as well: a client's cache_memlimit raises the
    // limit memcached itself keeps.
    auto result = runProcess(argv, user_, "", std::chrono::seconds(30), {},
                             Confinement{.writable = {layout.dir}, .listenPorts = {layout.port},
                                         .addressSpaceBytes = layout.memoryBound});
    if (!result.ok()) return ApiError::internal("memcached did not start: " + result.output);
  }
  if (!waitUntil([&] { return healthy(layout); }, std::chrono::seconds(30))) {
    return ApiError::internal("memcached does not answer on port " + std::to_string(layout.port));
  }
  return true;
}

Result<bool> MemcachedEngine::stop(const MemcachedLayout& layout) {
  int pid = pidOf(layout);
  if (pid == 0) return true;
  ::kill(pid, SIGTERM);
  if (!waitUntil([&] { return !processAlive(pid); }, std::chrono::seconds(10))) {
    spdlog::warn("msg=\"memcached did not stop on SIGTERM: killing it\" node={}", layout.dir.string());
    ::kill(pid, SIGKILL);
    if (!waitUntil([&] { return !processAlive(pid); }, std::chrono::seconds(5))) {
      return ApiError::internal("memcached did not stop");
    }
  }
  std::error_code ec;
  fs::remove(pidFile(layout), ec);
  return true;
}

}  // namespace kura::engines
