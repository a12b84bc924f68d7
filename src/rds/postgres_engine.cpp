#include "rds/postgres_engine.h"

#include "engines/backup_manifest.h"

#include "rds/log_shipper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <thread>

#include "common/crypto.h"
#include "common/descriptor_shortage.h"
#include "common/time_format.h"

namespace kura::rds {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

fs::path pgdata(const EngineLayout& layout) { return layout.dir / "pgdata"; }
// A Unix socket's path holds at most 107 bytes (sun_path). An instance
// whose directory is too deep for ".../run/.s.PGSQL.<port>" gets a short
// one of its own under /tmp instead (0700, the engine user's), named by a
// hash of its directory; PostgreSQL would refuse to start otherwise.
fs::path socketDir(const EngineLayout& layout) {
  fs::path own = layout.dir / "run";
  constexpr size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;
  if (own.string().size() + std::string_view("/.s.PGSQL.65535").size() <= kMaxSocketPath) return own;
  return fs::path("/tmp") / ("kura-pg-" + sha256Hex(fs::absolute(layout.dir).lexically_normal().string()).substr(0, 16));
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string quoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string quoteIdentifier(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string pgTime(SystemTime t) {
  std::string iso = formatIso8601(t);  // 2026-11-24T03:12:45.000Z
  return iso.substr(0, 10) + " " + iso.substr(11, 12) + "+00";
}

ApiError engineError(const std::string& what, const engines::ProcessResult& result) {
  std::string output = result.output;
  if (output.size() > 600) output = output.substr(output.size() - 600);
  return ApiError::internal(what + ": " + output);
}

}  // namespace

PostgresEngine::PostgresEngine(int major, engines::EngineUser user, fs::path dataDir)
    : major_(major), user_(std::move(user)), dataDir_(fs::absolute(std::move(dataDir)).lexically_normal()) {}

std::string PostgresEngine::tool(const char* name) const {
  return fmt::format("/usr/lib/postgresql/{}/bin/{}", major_, name);
}

std::string PostgresEngine::libDir() const { return fmt::format("/usr/lib/postgresql/{}/lib", major_); }

engines::ProcessResult PostgresEngine::run(const std::vector<std::string>& argv, const std::string& stdinText,
                                  std::chrono::seconds timeout) const {
  return engines::runProcess(argv, user_, stdinText, timeout);
}

Result<bool> PostgresEngine::prepareDir(const fs::path& dir) const {
  auto made = engines::prepareEngineDir(dir, user_, dataDir_);
  if (!made.ok) return ApiError::internal(made.error);
  return true;
}

Result<bool> PostgresEngine::writeSettings(const EngineLayout& layout) const {
  std::string archive = layout.walOutbox.empty() ? layout.walArchive.string() : layout.walOutbox.string();
  // The parameter group's values first: Kura's own settings below win.
  // Defaults a group may change (RDS runs in UTC), then the group's values.
  std::string parameters = "timezone = 'UTC'\n# From the instance's DB parameter group.\n";
  for (const auto& [name, value] : layout.parameters) parameters += name + " = " + quoteLiteral(value) + "\n";
  std::string settings = parameters + fmt::format(
      "# Written by Kura for this instance; do not edit.\n"
      "listen_addresses = '127.0.0.1'\n"
      "port = {}\n"
      "unix_socket_directories = '{}'\n"
      "wal_level = replica\n"
      "archive_mode = on\n"
      "archive_command = 'test ! -f {}/%f && cp %p {}/%f.part && mv {}/%f.part {}/%f'\n"
      "archive_timeout = 1\n"
      "max_wal_senders = 10\n"
      // A standby built while segments switch every second must still find
      // the segment it starts from (and one that reconnects, its next ones).
      "wal_keep_size = 256\n"
      // A hung standby is dropped after 5 s, so that a synchronous commit
      // waits for it no longer than that (another standby takes its place).
      "wal_sender_timeout = '5s'\n"
      "hot_standby = on\n"
      "synchronous_standby_names = '{}'\n"
      // The server log as RDS names its files (DescribeDBLogFiles reads them,
      // the supervisor ships them to CloudWatch Logs).
      "logging_collector = on\n"
      "log_directory = '{}'\n"
      "log_filename = 'postgresql.log.%Y-%m-%d-%H'\n"
      "log_rotation_age = 60\n"
      "log_rotation_size = 0\n"
      "log_line_prefix = '%t:%r:%u@%d:[%p]:'\n"
      "log_timezone = 'UTC'\n"
      "{}{}",
      layout.port, socketDir(layout).string(), archive, archive, archive, archive,
      // The standby's walreceiver only: never pg_basebackup's stream while a standby is rebuilt.
      layout.synchronousStandby ? "walreceiver" : "",
      postgresLogDir(layout.dir).string(),
      // pgaudit, when installed, is loaded as RDS loads it: auditing itself
      // is off until pgaudit.log is set (ALTER ROLE/DATABASE ... SET pgaudit.log).
      fs::exists(fs::path(libDir()) / "pgaudit.so") ? "shared_preload_libraries = 'pgaudit'\n" : "",
      // A read replica's walreceiver connects under this name (cluster_name
      // is its default application_name), never as a synchronous standby.
      layout.replicaName.empty() ? "" : "cluster_name = " + quoteLiteral(layout.replicaName) + "\n");
  fs::path file = pgdata(layout) / "kura.conf";
  {
    std::ofstream out(file, std::ios::trunc);
    out << settings;
    if (!out) return ApiError::internal("cannot write " + file.string());
  }
  if (user_.drop && ::chown(file.c_str(), user_.uid, user_.gid) != 0) {
    return ApiError::internal("cannot give " + file.string() + " to the engine user");
  }
  fs::path main = pgdata(layout) / "postgresql.conf";
  std::string text = readFile(main);
  if (text.find("include_if_exists = 'kura.conf'") == std::string::npos) {
    std::ofstream(main, std::ios::app) << "\ninclude_if_exists = 'kura.conf'\n";
  }
  return true;
}

Result<bool> PostgresEngine::createStandby(const EngineLayout& primary, const EngineLayout& standby) {
  for (const fs::path& dir : {standby.dir, socketDir(standby)}) {
    if (auto made = prepareDir(dir); !made) return made;
  }
  std::error_code ec;
  fs::remove_all(pgdata(standby), ec);
  // Over the primary's own socket (trusted, as every local connection of the
  // engine user); -R leaves standby.signal and primary_conninfo behind.
  auto result = run({tool("pg_basebackup"), "-h", socketDir(primary).string(), "-p", std::to_string(primary.port),
                     "-U", primary.masterUser, "-D", pgdata(standby).string(), "-X", "stream", "-c", "fast", "-R",
                     "--no-password"},
                    // Bounded: the supervisor waits for it, and a primary that hangs meanwhile must
                    // still be noticed (a rebuild off the supervisor's thread is the real fix).
                    "", std::chrono::minutes(2));
  if (!result.ok()) return engineError("pg_basebackup of the standby failed", result);
  fs::remove(pgdata(standby) / "postmaster.pid", ec);
  return writeSettings(standby);
}

Result<bool> PostgresEngine::follow(const EngineLayout& standby, const EngineLayout& upstream) {
  // primary_conninfo is reloadable: the walreceiver restarts towards the new
  // upstream, and recovery_target_timeline 'latest' follows its promotion.
  std::string conninfo = "host=" + socketDir(upstream).string() + " port=" + std::to_string(upstream.port) +
                         " user=" + upstream.masterUser;
  auto changed = sql(standby, "ALTER SYSTEM SET primary_conninfo = " + quoteLiteral(conninfo));
  if (!changed) return changed.error();
  if (auto reloaded = sql(standby, "SELECT pg_reload_conf()"); !reloaded) return reloaded.error();
  return true;
}

std::optional<ReplicaStatus> PostgresEngine::replicaStatus(const EngineLayout& standby) {
  // The lag as RDS's ReplicaLag for PostgreSQL has it: none while it streams
  // and replay has caught up, else the age of the last replayed commit.
  auto result = run({tool("psql"), "-X", "-q", "-A", "-t", "-F", " ", "-h", socketDir(standby).string(), "-p",
                     std::to_string(standby.port), "-U", standby.masterUser, "-d", "postgres", "-c",
                     "WITH r AS (SELECT coalesce((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false) s) "
                     "SELECT pg_is_in_recovery(), s, "
                     "CASE WHEN s AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                     "ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END FROM r"},
                    "", std::chrono::seconds(3));
  if (!result.ok()) return std::nullopt;
  std::istringstream fields(result.output);
  std::string recovering, streaming;
  double lag = 0;
  if (!(fields >> recovering >> streaming >> lag) || recovering != "t") return std::nullopt;
  return ReplicaStatus{streaming == "t", std::max(0.0, lag)};
}

std::optional<int64_t> PostgresEngine::connections(const EngineLayout& layout) {
  // Client sessions only (not Kura's own query, nor walsenders or workers).
  auto result = run({tool("psql"), "-X", "-q", "-A", "-t", "-h", socketDir(layout).string(), "-p",
                     std::to_string(layout.port), "-U", layout.masterUser, "-d", "postgres", "-c",
                     "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                     "AND pid <> pg_backend_pid()"},
                    "", std::chrono::seconds(3));
  if (!result.ok()) return std::nullopt;
  try {
    return std::stoll(result.output);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Result<bool> PostgresEngine::promote(const EngineLayout& layout) {
  if (!fs::exists(pgdata(layout) / "standby.signal")) return true;  // a primary already
  auto result = run({tool("pg_ctl"), "promote", "-D", pgdata(layout).string(), "-w", "-t", "60", "-s"}, "",
                    std::chrono::seconds(90));
  if (!result.ok() && fs::exists(pgdata(layout) / "standby.signal")) return engineError("promotion failed", result);
  return true;
}

namespace {

// The processes whose parent is `parent` (from /proc).
std::vector<pid_t> childrenOf(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = readFile(entry.path() / "stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) continue;
    // After "pid (comm) ": the state, then the parent's pid.
    pid_t ppid = static_cast<pid_t>(std::atol(stat.c_str() + close + 4));
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::atol(name.c_str())));
  }
  return children;
}

// The live processes whose working directory is `dir` (from /proc).
std::vector<pid_t> processesIn(const fs::path& dir) {
  std::vector<pid_t> found;
  std::error_code ec;
  fs::path wanted = fs::weakly_canonical(dir, ec);
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code linkError;
    fs::path cwd = fs::read_symlink(entry.path() / "cwd", linkError);
    // A data directory removed under a running server reads "<dir> (deleted)".
    if (linkError || (cwd != wanted && cwd.string() != wanted.string() + " (deleted)")) continue;
    std::string stat = readFile(entry.path() / "stat");
    size_t close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') continue;  // a zombie
    found.push_back(static_cast<pid_t>(std::atol(name.c_str())));
  }
  return found;
}

// Gone, or a zombie nobody has reaped yet.
bool processGone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::string stat = readFile(fs::path("/proc") / std::to_string(pid) / "stat");
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
}

}  // namespace

Result<bool> PostgresEngine::fence(const EngineLayout& layout) {
  std::string pidText = readFile(pgdata(layout) / "postmaster.pid");
  pid_t pid = static_cast<pid_t>(std::atol(pidText.c_str()));
  if (pid > 1 && !processGone(pid)) {
    // Stopped first, so that it forks nothing more; then every child
    // (backends, walsenders: each is a session of its own, out of reach of
    // a group kill), then the postmaster itself.
    ::kill(pid, SIGSTOP);
    for (int round = 0; round < 3; ++round) {
      for (pid_t child : childrenOf(pid)) ::kill(child, SIGKILL);
    }
    ::kill(pid, SIGKILL);
    // Reaped normally within milliseconds; a zombie nobody reaps is dead too.
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!processGone(pid)) return ApiError::internal("the old primary's server did not die");
  }
  // A postmaster that died first leaves its backends and walsenders running,
  // reparented, until they notice: they can still commit, and a walsender
  // can still have a commit acknowledged by a standby. Every process of the
  // server works in its data directory, which is how they are found.
  for (int round = 0; round < 50; ++round) {
    std::vector<pid_t> left = processesIn(pgdata(layout));
    if (left.empty()) return true;
    for (pid_t process : left) ::kill(process, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ApiError::internal("processes of the old primary's server did not die");
}

bool PostgresEngine::waitForStandby(const EngineLayout& primary, std::chrono::seconds timeout,
                                    const std::string& condition) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto result = run({tool("psql"), "-X", "-q", "-A", "-t", "-h", socketDir(primary).string(), "-p",
                       std::to_string(primary.port), "-U", primary.masterUser, "-d", "postgres", "-c",
                       "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND " + condition},
                      "", std::chrono::seconds(3));
    if (result.ok() && result.output.rfind("1", 0) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool PostgresEngine::synchronousStandbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) {
  return waitForStandby(primary, timeout, "sync_state = 'sync'");
}

bool PostgresEngine::standbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) {
  // The standby's walreceiver, by its default name (read replicas have their own).
  return waitForStandby(primary, timeout, "application_name = 'walreceiver'");
}

std::optional<uint64_t> PostgresEngine::walPosition(const EngineLayout& layout) {
  auto result = run({tool("psql"), "-X", "-q", "-A", "-t", "-h", socketDir(layout).string(), "-p",
                     std::to_string(layout.port), "-U", layout.masterUser, "-d", "postgres", "-c",
                     "SELECT (CASE WHEN pg_is_in_recovery() "
                     "THEN greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) "
                     "ELSE pg_current_wal_lsn() END - '0/0')::bigint"},
                    "", std::chrono::seconds(3));
  if (!result.ok()) return std::nullopt;
  try {
    return static_cast<uint64_t>(std::stoull(result.output));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool PostgresEngine::healthy(const EngineLayout& layout, std::chrono::milliseconds timeout) {
  // PostgreSQL's SSLRequest over TCP: the postmaster accepts, forks a backend
  // and that backend answers 'N' or 'S' at once. A hung or dead server does
  // not. No process is spawned, so a loaded host does not fake a failure.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    noteDescriptorError(errno);  // Kura's shortage, not the engine's: the supervisor judges it unknown
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(layout.port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto waitFor = [&](short events) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{fd, events, 0};
    return ::poll(&entry, 1, static_cast<int>(left.count())) == 1 && (entry.revents & events) != 0;
  };
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 || errno == EINPROGRESS) {
    const unsigned char request[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};  // SSLRequest
    char answer = 0;
    ok = waitFor(POLLOUT) && ::send(fd, request, sizeof request, MSG_NOSIGNAL) == sizeof request &&
         waitFor(POLLIN) && ::recv(fd, &answer, 1, 0) == 1 && (answer == 'N' || answer == 'S');
  }
  ::close(fd);
  return ok;
}

Result<bool> PostgresEngine::reload(const EngineLayout& layout) {
  if (auto written = writeSettings(layout); !written) return written;
  if (!running(layout)) return true;  // read at the next start
  auto result = run({tool("pg_ctl"), "reload", "-D", pgdata(layout).string(), "-s"}, "", std::chrono::seconds(30));
  if (!result.ok()) return engineError("PostgreSQL did not reload its settings", result);
  return true;
}

std::vector<EngineParameter> PostgresEngine::describeParameters() const {
  auto result = run({tool("postgres"), "--describe-config"}, "", std::chrono::seconds(30));
  if (!result.ok()) return {};
  return parseDescribeConfig(result.output);
}

Result<bool> PostgresEngine::checkParameters(const std::map<std::string, std::string>& values) const {
  // A scratch directory holding nothing but the configuration: `postgres -C`
  // parses and checks every value in it, as a start would.
  fs::path scratch = dataDir_ / "rds" / "parameter-check" / toHex(randomBytes(6));
  if (auto made = prepareDir(scratch.parent_path()); !made) return made;
  if (auto made = prepareDir(scratch); !made) return made;
  std::string text;
  for (const auto& [name, value] : values) text += name + " = " + quoteLiteral(value) + "\n";
  fs::path conf = scratch / "postgresql.conf";
  std::ofstream(conf, std::ios::trunc) << text;
  if (user_.drop) ::chown(conf.c_str(), user_.uid, user_.gid);
  auto result = run({tool("postgres"), "-D", scratch.string(), "-C", "port"}, "", std::chrono::seconds(30));
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (result.ok()) return true;
  // The server's own words, without its time stamps: "invalid value for
  // parameter "log_statement": "bogus" HINT: Available values: none, ddl, mod, all."
  std::string message;
  size_t start = 0;
  while (start < result.output.size()) {
    size_t end = result.output.find('\n', start);
    if (end == std::string::npos) end = result.output.size();
    std::string line = result.output.substr(start, end - start);
    start = end + 1;
    for (const char* level : {"LOG:  ", "HINT:  "}) {
      size_t at = line.find(level);
      if (at != std::string::npos && line.find("skipping missing") == std::string::npos) {
        message += (message.empty() ? "" : " ") + line.substr(at + std::string(level).size());
      }
    }
  }
  return ApiError::sender("InvalidParameterValue", message.empty() ? "PostgreSQL rejects these parameters" : message);
}

Result<bool> PostgresEngine::create(const EngineLayout& layout) {
  if (fs::exists(pgdata(layout) / "PG_VERSION")) return writeSettings(layout);
  for (const fs::path& dir : {layout.dir, socketDir(layout), layout.walArchive}) {
    if (auto made = prepareDir(dir); !made) return made;
  }
  std::error_code ec;
  fs::remove_all(pgdata(layout), ec);  // a half-made one from a crashed attempt
  // The password reaches initdb through a file only the engine user reads.
  fs::path passwordFile = layout.dir / ".initdb-password";
  {
    std::ofstream out(passwordFile, std::ios::trunc);
    ::chmod(passwordFile.c_str(), 0600);
    out << layout.masterPassword << "\n";
  }
  if (user_.drop) ::chown(passwordFile.c_str(), user_.uid, user_.gid);
  auto result = run({tool("initdb"), "-D", pgdata(layout).string(), "-U", layout.masterUser,
                     "--pwfile=" + passwordFile.string(), "--auth-host=scram-sha-256", "--auth-local=trust",
                     "-E", "UTF8", "--locale=C.UTF-8", "--wal-segsize=1", "--no-instructions"});
  fs::remove(passwordFile, ec);
  if (!result.ok()) return engineError("initdb failed", result);
  if (auto written = writeSettings(layout); !written) return written;
  if (!layout.dbName.empty()) {
    if (auto started = start(layout); !started) return started;
    auto created = sql(layout, "CREATE DATABASE " + quoteIdentifier(layout.dbName));
    if (!created) return created.error();
  }
  return true;
}

bool PostgresEngine::running(const EngineLayout& layout) {
  if (!fs::exists(pgdata(layout) / "postmaster.pid")) return false;
  return run({tool("pg_ctl"), "status", "-D", pgdata(layout).string()}, "", std::chrono::seconds(10)).ok();
}

Result<bool> PostgresEngine::start(const EngineLayout& layout) {
  if (!fs::exists(pgdata(layout) / "PG_VERSION")) return ApiError::internal("the instance has no database files");
  if (auto made = prepareDir(socketDir(layout)); !made) return made;
  if (auto made = prepareDir(layout.walArchive); !made) return made;
  if (!layout.walOutbox.empty()) {
    if (auto made = prepareDir(layout.walOutbox); !made) return made;
  }
  if (auto written = writeSettings(layout); !written) return written;
  if (!running(layout)) {
    auto result = run({tool("pg_ctl"), "start", "-D", pgdata(layout).string(), "-l",
                       (layout.dir / "postgresql.log").string(), "-w", "-t", "120", "-s"},
                      "", std::chrono::seconds(150));
    if (!result.ok()) {
      std::string log = readFile(layout.dir / "postgresql.log");
      if (log.size() > 800) log = log.substr(log.size() - 800);
      return ApiError::internal("PostgreSQL did not start: " + result.output + " " + log);
    }
  }
  // A Multi-AZ standby stays in recovery: it is up once it accepts reads.
  if (fs::exists(pgdata(layout) / "standby.signal")) return true;
  // A restored instance replays WAL first: it is available once promoted.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (std::chrono::steady_clock::now() < deadline) {
    auto recovering = sql(layout, "SELECT pg_is_in_recovery()");
    if (recovering && *recovering == "f") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ApiError::internal("PostgreSQL is still recovering after 5 minutes");
}

Result<bool> PostgresEngine::stop(const EngineLayout& layout) {
  if (!running(layout)) return true;
  auto result = run({tool("pg_ctl"), "stop", "-D", pgdata(layout).string(), "-m", "fast", "-w", "-t", "60", "-s"},
                    "", std::chrono::seconds(90));
  if (!result.ok() && running(layout)) return engineError("PostgreSQL did not stop", result);
  return true;
}

Result<std::string> PostgresEngine::sql(const EngineLayout& layout, const std::string& statement) const {
  auto result = run({tool("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDir(layout).string(),
                     "-p", std::to_string(layout.port), "-U", layout.masterUser, "-d", "postgres", "-f", "-"},
                    statement + ";\n", std::chrono::seconds(60));
  if (!result.ok()) return engineError("SQL failed", result);
  std::string out = result.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

Result<bool> PostgresEngine::setMasterPassword(const EngineLayout& layout) {
  auto changed = sql(layout, "ALTER ROLE " + quoteIdentifier(layout.masterUser) + " PASSWORD " +
                                 quoteLiteral(layout.masterPassword));
  if (!changed) return ApiError::internal("cannot set the master password");  // never echo the statement
  return true;
}

Result<BackupResult> PostgresEngine::backup(const EngineLayout& layout, const fs::path& target) {
  std::error_code ec;
  fs::remove_all(target, ec);
  if (auto made = prepareDir(target); !made) return made.error();
  BackupResult backup;
  backup.startTime = std::chrono::system_clock::now();
  auto result = run({tool("pg_basebackup"), "-h", socketDir(layout).string(), "-p", std::to_string(layout.port),
                     "-U", layout.masterUser, "-D", (target / "base").string(), "-Ft", "-z", "-X", "fetch", "-c",
                     "fast", "--no-password"},
                    "", std::chrono::minutes(60));
  if (!result.ok()) return engineError("pg_basebackup failed", result);
  backup.bytes = engines::writeManifest(
      target, {{"engine", "postgres"}, {"major", major_}, {"startTime", toEpochSeconds(backup.startTime)}});
  return backup;
}

Result<bool> PostgresEngine::restore(const fs::path& backup, const EngineLayout& layout,
                                     std::optional<SystemTime> until, const fs::path& walArchive) {
  // Checksums first: a damaged backup fails here, before anything is made.
  auto check = engines::verifyManifest(backup);
  if (!check.ok) return ApiError::sender("InvalidRestoreFault", check.error);
  if (check.manifest.value("major", 0) != major_) {
    return ApiError::sender("InvalidRestoreFault", "the snapshot was taken with another PostgreSQL major version");
  }
  std::error_code ec;
  fs::remove_all(pgdata(layout), ec);
  for (const fs::path& dir : {layout.dir, pgdata(layout), socketDir(layout), layout.walArchive}) {
    if (auto made = prepareDir(dir); !made) return made;
  }
  auto untar = run({"/bin/tar", "-xzf", (backup / "base" / "base.tar.gz").string(), "-C", pgdata(layout).string()});
  if (!untar.ok()) return engineError("cannot unpack the snapshot", untar);
  fs::remove(pgdata(layout) / "postmaster.pid", ec);
  if (!walArchive.empty()) {
    std::string settings = fmt::format("restore_command = 'cp {}/%f %p'\nrecovery_target_action = 'promote'\n",
                                       walArchive.string());
    if (until) settings += "recovery_target_time = '" + pgTime(*until) + "'\nrecovery_target_inclusive = true\n";
    std::ofstream(pgdata(layout) / "postgresql.auto.conf", std::ios::app) << settings;
    std::ofstream(pgdata(layout) / "recovery.signal", std::ios::trunc) << "";
    if (user_.drop) {
      ::chown((pgdata(layout) / "recovery.signal").c_str(), user_.uid, user_.gid);
    }
  }
  return writeSettings(layout);
}

std::optional<SystemTime> PostgresEngine::latestRestorableTime(const EngineLayout& layout) {
  std::optional<fs::file_time_type> newest;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(layout.walArchive, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 24 || name.find_first_not_of("0123456789ABCDEF") != std::string::npos) continue;
    auto time = entry.last_write_time(ec);
    if (!ec && (!newest || time > *newest)) newest = time;
  }
  if (!newest) return std::nullopt;
  // Everything committed before the newest segment was archived is in the
  // archive, less a second for the copy itself.
  return std::chrono::time_point_cast<SystemTime::duration>(std::chrono::file_clock::to_sys(*newest)) -
         std::chrono::seconds(1);
}

Result<bool> PostgresEngine::destroy(const EngineLayout& layout) {
  std::error_code ec;
  fs::remove_all(socketDir(layout), ec);  // when it is a short one outside (a no-op otherwise)
  fs::remove_all(layout.dir, ec);
  if (ec) return ApiError::internal("cannot remove " + layout.dir.string() + ": " + ec.message());
  return true;
}

}  // namespace kura::rds
