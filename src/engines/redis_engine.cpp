#include "engines/redis_engine.h"

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/durable_tree.h"
#include "common/confined_file.h"
#include "common/server_certificate.h"
#include "common/time_format.h"
#include "engines/backup_manifest.h"
#include "engines/resp_reply.h"
#include "engines/tcp_probe.h"
#include "engines/tls_probe.h"

namespace kura::engines {
namespace fs = std::filesystem;

namespace {

constexpr const char* kServer = "/usr/bin/redis-server";
constexpr const char* kClient = "/usr/bin/redis-cli";

fs::path dataOf(const RedisLayout& layout) { return layout.dir / "data"; }
fs::path pidFile(const RedisLayout& layout) { return layout.dir / "redis.pid"; }

// Where the node may write (its directory: data, log, certificate and
// cluster file are all there), listen (its port, and its cluster bus's)
// and how much it may map (confinement.h).
Confinement redisConfinement(const RedisLayout& layout) {
  Confinement confined{.writable = {layout.dir}, .listenPorts = {layout.port},
                       .addressSpaceBytes = layout.memoryBound};
  if (layout.busPort > 0) confined.listenPorts.push_back(layout.busPort);
  return confined;
}
fs::path aofManifest(const RedisLayout& layout) {
  return dataOf(layout) / "appendonlydir" / "appendonly.aof.manifest";
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

// The cache parameters' directives, each value quoted (the caller allows
// letters, digits, '$', '.' and '-' only).
std::string parameterLines(const RedisLayout& layout) {
  std::string lines;
  for (const auto& [name, value] : layout.settings) lines += name + " \"" + value + "\"\n";
  return lines;
}

std::string tail(const std::string& text, size_t n) { return text.size() > n ? text.substr(text.size() - n) : text; }

}  // namespace

RedisEngine::RedisEngine(EngineUser user, fs::path dataDir)
    : user_(std::move(user)), dataDir_(std::move(dataDir)) {
  auto loaded = loadRedisCredentials(dataDir_);
  if (loaded) {
    credentials_ = *loaded;
  } else {
    credentialsError_ = loaded.error().message;
    spdlog::error("msg=\"{}\"", credentialsError_);
  }
}

std::string RedisEngine::installedVersion() {
  if (!fs::exists(kServer)) return "";
  auto result = runProcess({kServer, "--version"}, EngineUser{}, "", std::chrono::seconds(10));
  // "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=..."
  size_t at = result.output.find("v=");
  if (!result.ok() || at == std::string::npos) return "";
  size_t end = result.output.find(' ', at);
  return result.output.substr(at + 2, end == std::string::npos ? std::string::npos : end - at - 2);
}

std::optional<FileOwner> RedisEngine::owner() const {
  if (!user_.drop) return std::nullopt;
  return FileOwner{static_cast<uid_t>(user_.uid), static_cast<gid_t>(user_.gid)};
}

std::string redisBindAddresses(const RedisLayout& layout) {
  return layout.exposed && layout.address != "127.0.0.1" ? "127.0.0.1 " + layout.address : "127.0.0.1";
}

Result<bool> RedisEngine::prepareDir(const fs::path& dir) const {
  auto made = prepareEngineDir(dir, user_, dataDir_);
  if (!made.ok) return ApiError::internal(made.error);
  return true;
}

std::vector<std::string> RedisEngine::reach(const RedisLayout& layout) const {
  std::vector<std::string> args = {"-h", "127.0.0.1", "-p", std::to_string(layout.port)};
  if (layout.tls != nullptr) {
    // The CA's own certificate in Kura's keys/ (certificate_authority.h),
    // never the copy in the node's folder, which the engine user owns.
    args.insert(args.end(), {"--tls", "--cacert", (dataDir_ / "keys" / "rds-ca.pem").string()});
  }
  return args;
}

ProcessResult RedisEngine::signedIn(const RedisLayout& layout, const std::vector<std::string>& args,
                                    std::chrono::seconds timeout, const std::string& input) const {
  if (!credentials_) return ProcessResult{-1, credentialsError_};
  std::vector<std::string> argv = {kClient, "--user", kRedisAdminUser};
  for (std::string& arg : reach(layout)) argv.push_back(std::move(arg));
  argv.insert(argv.end(), args.begin(), args.end());
  // The password in the environment: /proc shows it to Kura's user alone.
  own_.begin(layout.port);
  ProcessResult result = runProcess(argv, EngineUser{}, input, timeout, {"REDISCLI_AUTH=" + credentials_->admin});
  own_.end(layout.port, result.output.rfind("Could not connect", 0) != 0);
  result.output = trimmed(result.output);
  return result;
}

ProcessResult RedisEngine::command(const RedisLayout& layout, const std::vector<std::string>& args,
                                   std::chrono::seconds timeout) const {
  ProcessResult result = signedIn(layout, args, timeout);
  // redis-cli goes on as the default user when its AUTH fails: a server
  // started by an earlier Kura, which has no users yet. They are added, and
  // the command (every one Kura runs can be repeated) runs again as Kura's.
  if (result.output.rfind("AUTH failed", 0) == 0 && addUsers(layout)) result = signedIn(layout, args, timeout);
  return result;
}

bool RedisEngine::addUsers(const RedisLayout& layout) const {
  if (!credentials_) return false;
  // As the default user, which may still do everything there; the commands
  // (a password among them) go through stdin.
  std::vector<std::string> argv = {kClient};
  for (std::string& arg : reach(layout)) argv.push_back(std::move(arg));
  own_.begin(layout.port);
  ProcessResult result = runProcess(argv, EngineUser{}, redisAclCommands(*credentials_), std::chrono::seconds(10));
  own_.end(layout.port, result.output.rfind("Could not connect", 0) != 0);
  std::string expected = "OK\nOK\nOK\nOK\nOK";
  bool added = result.ok() && trimmed(result.output) == expected;
  if (!added) {
    spdlog::warn("msg=\"Kura cannot sign in to a Redis node\" node={} port={}", layout.dir.string(), layout.port);
    return false;
  }
  spdlog::info("msg=\"a Redis node started by an earlier Kura was given its ACL users\" node={} port={}",
               layout.dir.string(), layout.port);
  // Its replicas followed it as its default user, which may no longer: they
  // are given the users too (how to sign in to a primary among them), then
  // their links are cut, and they come back signed in.
  if (layout.replicaOf != 0) return true;
  std::istringstream info(signedIn(layout, {"INFO", "replication"}, std::chrono::seconds(10)).output);
  for (std::string line; std::getline(info, line);) {
    // slave0:ip=127.0.0.1,port=21013,state=online,offset=...
    size_t at = line.find(",port=");
    if (line.rfind("slave", 0) != 0 || at == std::string::npos) continue;
    RedisLayout replica;
    replica.port = std::atoi(line.c_str() + at + 6);
    if (replica.port > 0) command(replica, {"PING"});
  }
  signedIn(layout, {"CLIENT", "KILL", "TYPE", "replica"}, std::chrono::seconds(10));
  return true;
}

int RedisEngine::pidOf(const RedisLayout& layout) const { return daemonPid(pidFile(layout), "redis-server"); }

bool RedisEngine::running(const RedisLayout& layout) const { return pidOf(layout) > 0; }

bool RedisEngine::healthy(const RedisLayout& layout) const {
  bool refused = false;
  auto reply = exchange(layout, {"PING"}, 256, std::chrono::seconds(2), &refused);
  if (refused) {
    auto result = command(layout, {"PING"}, std::chrono::seconds(2));
    return result.ok() && result.output == "PONG";
  }
  return reply && reply->type == '+' && reply->text == "PONG";
}

Result<bool> RedisEngine::start(const RedisLayout& layout) {
  if (auto made = prepareDir(layout.dir); !made) return made;
  if (auto made = prepareDir(dataOf(layout)); !made) return made;
  // A replica loads what its primary sends, never an image of its own.
  bool loadImageFirst =
      layout.replicaOf == 0 && !fs::exists(aofManifest(layout)) && fs::exists(dataOf(layout) / "dump.rdb");
  if (!credentials_) return ApiError::internal(credentialsError_);
  bool launched = !running(layout);
  if (launched) {
    auto tls = tlsSettings(layout);
    if (!tls) return tls.error();
    std::error_code ec;
    fs::remove(pidFile(layout), ec);
    // Written by Kura for this node at every start; the server reads it as
    // the engine user.
    std::string settings = fmt::format(
        "# Written by Kura for this cache node; do not edit.\n"
        "bind {}\n{}protected-mode yes\ndaemonize yes\nsupervised no\n{}"
        "pidfile {}\nlogfile {}\ndir {}\ndbfilename dump.rdb\nsave \"\"\n"
        "appendonly {}\nappendfsync everysec\n"
        // Snapshots stream an image as a replica sync does: at once.
        "repl-diskless-sync-delay 0\n"
        // A crash (a script past the node's bound) is logged, and the node
        // started again at once: no memory test of everything it mapped
        // first, on a core the tenants share.
        "crash-memcheck-enabled no\n"
        // ps shows whose node it is (the settings live in its folder).
        "proc-title-template \"{{title}} {{listen-addr}} {{server-mode}} {{config-file}}\"\n{}{}{}",
        redisBindAddresses(layout),
        layout.tls != nullptr ? *tls : fmt::format("port {}\n", layout.port),
        layout.replicaOf > 0 ? fmt::format("replicaof 127.0.0.1 {}\nreplica-read-only yes\n", layout.replicaOf) : "",
        pidFile(layout).string(), (layout.dir / "redis.log").string(),
        dataOf(layout).string(), loadImageFirst ? "no" : "yes", parameterLines(layout),
        redisAclSettings(*credentials_, layout.clientUsers), layout.clusterSettings);
    // The node's directory is the engine's: its settings are written beside
    // and renamed into place (a link planted as redis.conf goes, unfollowed).
    fs::path conf = layout.dir / "redis.conf";
    if (!replaceBeneath(layout.dir, "redis.conf", settings, owner())) {
      return ApiError::internal("cannot write " + conf.string() + ": " + std::strerror(errno));
    }
    own_.reset(layout.port);
    auto result = runProcess({kServer, conf.string()}, user_, "", std::chrono::seconds(30), {},
                             redisConfinement(layout));
    if (!result.ok()) {
      return ApiError::internal("Redis did not start: " + result.output + " " +
                                tail(readBeneath(layout.dir, "redis.log").value_or(""), 600));
    }
  }
  // Loading a large image takes a while: the server answers once loaded.
  // One that exited (an image it cannot load) is not waited for: its pid
  // file (removed before a launch) names a process gone. Nor one that
  // wrote none within seconds (it writes it before it loads anything): it
  // could not take its port, which a crashed server keeps a moment after
  // removing its pid file, and the next pass starts it again. Waited for,
  // it held the supervisor, and every other node, for five minutes.
  bool answered = false;
  const auto launchedAt = std::chrono::steady_clock::now();
  waitUntil(
      [&] {
        return (answered = healthy(layout)) || daemonExited(pidFile(layout)) ||
               (launched && !fs::exists(pidFile(layout)) &&
                std::chrono::steady_clock::now() - launchedAt > std::chrono::seconds(10));
      },
      std::chrono::minutes(5));
  if (!answered) {
    return ApiError::internal("Redis does not answer: " + tail(readBeneath(layout.dir, "redis.log").value_or(""), 600));
  }
  // An adopted server may have been started with another role, and before
  // the clients' users last changed.
  if (layout.clusterSettings.empty()) {
    if (auto role = setRole(layout); !role) return role;
  }
  if (!launched) {
    if (auto users = applyClientUsers(layout); !users) return users;
  }
  if (loadImageFirst || command(layout, {"CONFIG", "GET", "appendonly"}).output == "appendonly\nno") {
    // Started on a restored image: persist from here on, in an append-only
    // file rewritten from what was loaded.
    auto set = command(layout, {"CONFIG", "SET", "appendonly", "yes"});
    if (!set.ok() || set.output != "OK") return ApiError::internal("cannot turn on Redis persistence: " + set.output);
    if (!waitUntil([&] { return fs::exists(aofManifest(layout)); }, std::chrono::minutes(5))) {
      return ApiError::internal("Redis did not write its append-only file");
    }
  }
  return launched;
}

Result<bool> RedisEngine::applySettings(const RedisLayout& layout,
                                        const std::vector<std::pair<std::string, std::string>>& settings) {
  // A new node type moves the node's bound with its maxmemory (before it,
  // so that a larger maxmemory never meets the smaller bound).
  if (auto bounded = applyMemoryBound(layout); !bounded) return bounded;
  if (settings.empty()) return true;
  std::vector<std::string> args = {"CONFIG", "SET"};
  for (const auto& [name, value] : settings) args.insert(args.end(), {name, value});
  auto set = command(layout, args);
  if (!set.ok() || set.output != "OK") return ApiError::internal("cannot set the node's parameters: " + set.output);
  return true;
}

Result<bool> RedisEngine::applyMemoryBound(const RedisLayout& layout) {
  int pid = pidOf(layout);
  if (layout.memoryBound == 0 || pid == 0) return true;
  // As the engine's user, whose process it is (prlimit(1), util-linux).
  auto set = runProcess({"/usr/bin/prlimit", "--pid", std::to_string(pid),
                         "--as=" + std::to_string(layout.memoryBound) + ":"},
                        user_, "", std::chrono::seconds(10));
  if (!set.ok()) return ApiError::internal("cannot move the node's memory bound: " + tail(set.output, 300));
  return true;
}

Result<bool> RedisEngine::stop(const RedisLayout& layout) {
  int pid = pidOf(layout);
  if (pid == 0) return true;
  // SIGTERM: Redis fsyncs the append-only file and exits. It refuses while
  // it writes its first append-only file (a replica just synced, say), and
  // does not try again by itself: ask once a second.
  bool stopped = false;
  for (int attempt = 0; attempt < 30 && !stopped; ++attempt) {
    ::kill(pid, SIGTERM);
    stopped = waitUntil([&] { return !processAlive(pid); }, std::chrono::seconds(1));
  }
  if (!stopped) {
    spdlog::warn("msg=\"Redis did not stop on SIGTERM within 30 s: killing it\" node={}", layout.dir.string());
    ::kill(pid, SIGKILL);
    if (!waitUntil([&] { return !processAlive(pid); }, std::chrono::seconds(5))) {
      return ApiError::internal("Redis did not stop");
    }
  }
  std::error_code ec;
  fs::remove(pidFile(layout), ec);
  return true;
}

Result<RedisBackup> RedisEngine::backup(const RedisLayout& layout, const fs::path& target) {
  std::error_code ec;
  fs::remove_all(target, ec);
  fs::create_directories(target, ec);
  if (ec) return ApiError::internal("cannot create " + target.string() + ": " + ec.message());
  RedisBackup backup;
  backup.time = std::chrono::system_clock::now();
  // The server forks an image as of now and streams it, as it does for a replica.
  auto result = command(layout, {"--rdb", (target / "dump.rdb").string()}, std::chrono::seconds(3600));
  if (!result.ok() || result.output.find("Transfer finished with success") == std::string::npos ||
      !fs::exists(target / "dump.rdb")) {
    return ApiError::internal("the Redis image could not be taken: " + tail(result.output, 400));
  }
  backup.bytes = writeManifest(target, {{"engine", "redis"}, {"version", installedVersion()},
                                        {"startTime", toEpochSeconds(backup.time)}});
  return backup;
}

Result<bool> RedisEngine::restore(const fs::path& backup, const RedisLayout& layout) {
  auto check = verifyManifest(backup);
  if (!check.ok) return ApiError::sender("InvalidRestoreFault", check.error);
  if (check.manifest.value("engine", "") != "redis" || !fs::exists(backup / "dump.rdb")) {
    return ApiError::sender("InvalidRestoreFault", "the snapshot holds no Redis image");
  }
  if (auto made = prepareDir(layout.dir); !made) return made;
  if (auto made = prepareDir(dataOf(layout)); !made) return made;
  std::error_code ec;
  fs::remove_all(dataOf(layout) / "appendonlydir", ec);
  fs::path staged = dataOf(layout) / "dump.rdb.restoring";
  fs::path relative = fs::relative(staged, layout.dir);
  if (!copyBeneath(backup, "dump.rdb", layout.dir, relative, owner())) {
    return ApiError::internal("cannot copy the snapshot's image: " + std::string(std::strerror(errno)));
  }
  fs::rename(staged, dataOf(layout) / "dump.rdb", ec);
  if (ec) return ApiError::internal("cannot place the snapshot's image: " + ec.message());
  // The image under its name, and the node's folders, on disk before the
  // node starts from it (and is shown available).
  if (auto error = syncTree(layout.dir); !error.empty()) return ApiError::internal(error);
  return true;
}

Result<bool> RedisEngine::setRole(const RedisLayout& layout) {
  auto result = layout.replicaOf > 0
                    ? command(layout, {"REPLICAOF", "127.0.0.1", std::to_string(layout.replicaOf)})
                    : command(layout, {"REPLICAOF", "NO", "ONE"});
  // "OK", or "OK Already connected to specified master".
  if (!result.ok() || result.output.rfind("OK", 0) != 0) {
    return ApiError::internal("cannot set the Redis node's role: " + tail(result.output, 300));
  }
  return true;
}

Result<bool> RedisEngine::fence(const RedisLayout& layout) {
  int pid = pidOf(layout);
  if (pid == 0) return true;
  ::kill(pid, SIGKILL);
  if (!waitUntil([&] { return !processAlive(pid); }, std::chrono::seconds(10))) return ApiError::internal("Redis did not die");
  std::error_code ec;
  fs::remove(pidFile(layout), ec);
  return true;
}

std::optional<RedisEngine::Exchanged> RedisEngine::exchange(const RedisLayout& layout,
                                                           const std::vector<std::string>& args, size_t maxAnswer,
                                                           std::chrono::milliseconds timeout, bool* refused,
                                                           uint64_t* ownOpen) const {
  if (!credentials_) return std::nullopt;
  std::string request =
      respCommand({"AUTH", kRedisAdminUser, credentials_->admin}) + respCommand(args) + respCommand({"QUIT"});
  own_.begin(layout.port);
  std::string answer = layout.tls != nullptr
                           ? probeTls(layout.port, dataDir_ / "keys" / "rds-ca.pem", request, maxAnswer, timeout)
                           : probeTcp(layout.port, request, maxAnswer, timeout);
  // Kura's connections open while the server counted its clients: this one
  // and any other of Kura's at the time.
  if (ownOpen != nullptr) *ownOpen = own_.open(layout.port);
  own_.end(layout.port, !answer.empty());
  std::vector<RespReply> replies = respReplies(answer, 2);
  if (replies.empty()) return std::nullopt;
  if (replies[0].type != '+' || replies[0].text != "OK") {
    // Kura's user or password refused (a server without Kura's users yet);
    // not another error (a node at its client limit refuses everyone).
    if (refused != nullptr) {
      *refused = replies[0].type == '-' &&
                 (replies[0].text.starts_with("WRONGPASS") || replies[0].text.starts_with("NOAUTH"));
    }
    return std::nullopt;
  }
  if (replies.size() < 2) return std::nullopt;
  return Exchanged{replies[1].type, std::string(replies[1].text)};
}

std::optional<std::string> RedisEngine::replicationInfo(const RedisLayout& layout) const {
  bool refused = false;
  auto reply = exchange(layout, {"INFO", "replication"}, 64 * 1024, std::chrono::seconds(2), &refused);
  if (refused) {
    auto result = command(layout, {"INFO", "replication"}, std::chrono::seconds(2));
    if (!result.ok()) return std::nullopt;
    return result.output;
  }
  if (!reply || reply->type != '$') return std::nullopt;
  return reply->text;
}

std::optional<long long> RedisEngine::replicationOffset(const RedisLayout& layout) const {
  auto text = replicationInfo(layout);
  if (!text) return std::nullopt;
  // A replica reports what it processed as slave_repl_offset; a primary (or
  // a replica) what its stream holds as master_repl_offset.
  for (const char* field : {"slave_repl_offset:", "master_repl_offset:"}) {
    size_t at = text->find(field);
    if (at == std::string::npos) continue;
    try {
      return std::stoll(text->substr(at + std::string(field).size()));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<std::string> RedisEngine::info(const RedisLayout& layout, uint64_t* ownOpen) const {
  // INFO's default sections take a few kilobytes (one keyspace line a database).
  auto reply = exchange(layout, {"INFO"}, 256 * 1024, std::chrono::seconds(2), nullptr, ownOpen);
  if (!reply || reply->type != '$') return std::nullopt;
  return reply->text;
}

bool RedisEngine::replicaLinked(const RedisLayout& layout) const {
  auto text = replicationInfo(layout);
  return text && text->find("master_link_status:up") != std::string::npos;
}

Result<bool> RedisEngine::pauseWrites(const RedisLayout& layout, std::chrono::milliseconds limit) {
  auto result = command(layout, {"CLIENT", "PAUSE", std::to_string(limit.count()), "WRITE"});
  if (!result.ok() || result.output != "OK") return ApiError::internal("cannot pause writes: " + result.output);
  return true;
}

ProcessResult RedisEngine::admin(const RedisLayout& layout, const std::vector<std::string>& args,
                                 std::chrono::seconds timeout, bool passwordOnStdin) const {
  if (!passwordOnStdin || !credentials_) return command(layout, args, timeout);
  ProcessResult result = signedIn(layout, args, timeout, credentials_->admin + "\n");
  return result;
}

Result<bool> RedisEngine::unpauseWrites(const RedisLayout& layout) {
  auto result = command(layout, {"CLIENT", "UNPAUSE"});
  if (!result.ok() || result.output != "OK") return ApiError::internal("cannot unpause writes: " + result.output);
  return true;
}

Result<std::string> RedisEngine::tlsSettings(const RedisLayout& layout) const {
  if (layout.tls == nullptr) return std::string();
  std::vector<std::string> names = {"127.0.0.1", "localhost"};
  if (layout.address != "127.0.0.1") names.insert(names.begin(), layout.address);
  if (auto written = writeServerCertificate(*layout.tls, layout.dir, names, owner()); !written) return written.error();
  // TLS only: no plaintext port. Replicas reach their primary over TLS and
  // verify it with the bundle; clients are not asked for certificates.
  return fmt::format(
      "port 0\ntls-port {}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\n"
      "tls-auth-clients no\ntls-replication yes\n",
      layout.port, (layout.dir / kServerCertificateFile).string(), (layout.dir / kServerKeyFile).string(),
      (layout.dir / kCaBundleFile).string());
}

Result<bool> RedisEngine::applyClientUsers(const RedisLayout& layout) {
  auto listed = command(layout, {"ACL", "USERS"});
  if (!listed.ok()) return ApiError::internal("cannot list the Redis node's users: " + tail(listed.output, 300));
  std::vector<std::string> rules = layout.clientUsers;
  if (rules.empty()) rules.push_back(redisDefaultUserRule({}));
  std::set<std::string> kept = {kRedisAdminUser, kRedisReplicationUser};
  // Through stdin: the rules hold password hashes, which the command line
  // would show to every local user.
  std::string input;
  for (const std::string& rule : rules) {
    input += "ACL SETUSER " + rule + "\n";
    kept.insert(rule.substr(0, rule.find(' ')));
  }
  std::istringstream users(listed.output);
  for (std::string user; std::getline(users, user);) {
    if (!user.empty() && !kept.contains(user)) input += "ACL DELUSER " + user + "\n";
  }
  ProcessResult result = signedIn(layout, {}, std::chrono::seconds(10), input);
  std::istringstream replies(result.output);
  bool applied = result.ok();
  for (std::string reply; std::getline(replies, reply);) {
    // OK for a user set, the count for one removed.
    applied = applied && (reply == "OK" || (!reply.empty() && std::isdigit(static_cast<unsigned char>(reply[0]))));
  }
  // The replies may quote a rule: only their start is told.
  if (!applied) return ApiError::internal("cannot set the Redis node's users: " + result.output.substr(0, 80));
  return true;
}

Result<bool> RedisEngine::destroy(const RedisLayout& layout) {
  std::error_code ec;
  fs::remove_all(layout.dir, ec);
  if (ec) return ApiError::internal("cannot remove " + layout.dir.string() + ": " + ec.message());
  return true;
}

}  // namespace kura::engines
