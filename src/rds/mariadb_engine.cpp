#include "rds/mariadb_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "common/crypto.h"
#include "common/time_format.h"
#include "engines/backup_manifest.h"
#include "engines/memory_cgroup.h"
#include "engines/replaced_executable.h"
#include "engines/tcp_probe.h"
#include "rds/engine_tls.h"
#include "rds/mariadb_files.h"
#include "rds/mariadb_iam_auth.h"
#include "rds/mariadb_logs.h"

namespace kura::rds {

namespace fs = std::filesystem;

namespace mariadb {

fs::path dataOf(const EngineLayout& layout) { return layout.dir / "data"; }
fs::path configOf(const EngineLayout& layout) { return layout.dir / "kura.cnf"; }

fs::path socketDir(const EngineLayout& layout) {
  fs::path own = layout.dir / "run";
  constexpr size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;
  if (own.string().size() + std::string_view("/mariadbd.sock").size() <= kMaxSocketPath) return own;
  return fs::path("/tmp") / ("kura-my-" + sha256Hex(fs::absolute(layout.dir).lexically_normal().string()).substr(0, 16));
}
fs::path socketOf(const EngineLayout& layout) { return socketDir(layout) / "mariadbd.sock"; }

// A string in SQL. A quote is doubled, which ends no string in any
// sql_mode; a backslash is escaped, as Kura's own sessions read it
// (kAdminSession: with NO_BACKSLASH_ESCAPES, which a tenant's parameter
// group may set, \' ended the string, and a password ran the rest as
// Kura's account).
std::string quoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  return out + "'";
}

std::string quoteIdentifier(const std::string& text) {
  std::string out = "`";
  for (char c : text) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string quoteOption(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

ApiError engineError(const std::string& what, const engines::ProcessResult& result) {
  std::string output = result.output;
  if (output.size() > 600) output = output.substr(output.size() - 600);
  return ApiError::internal(what + ": " + output);
}

uint64_t gtidSequence(const std::string& list) {
  std::smatch match;
  if (!std::regex_search(list, match, std::regex(R"((?:^|,)\s*0-\d+-(\d+))"))) return 0;
  try {
    return std::stoull(match[1]);
  } catch (const std::exception&) {
    return 0;  // out of range
  }
}

}  // namespace mariadb

using namespace mariadb;

namespace {

// Written once an instance's files are made whole (create()).
constexpr const char* kCreatedMark = "kura-created";
// Kura's own sessions read SQL one way and commit each statement, whatever
// the tenant's parameter group makes the server's defaults (quoteLiteral
// relies on the first).
constexpr const char* kAdminSession =
    "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION', "
    "autocommit = 1";

// What RDS grants a MySQL master user, less RELOAD: with RELOAD, FLUSH
// PRIVILEGES would put in effect at once whatever the master wrote into the
// grant tables (its INSERT and UPDATE reach the mysql schema), SUPER and
// FILE included. DELETE HISTORY (MariaDB's own) lets it GRANT ALL on a
// database. Never SUPER, FILE, SHUTDOWN, nor the privileges MariaDB split
// from SUPER.
constexpr const char* kMasterPrivileges =
    "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, PROCESS, REFERENCES, INDEX, ALTER, SHOW DATABASES, "
    "CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, REPLICATION SLAVE, REPLICATION CLIENT, CREATE VIEW, "
    "SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER, DELETE HISTORY";
// The same as the bits of mysql.global_priv's "access" (MariaDB 10.11):
// every account but Kura's is cut down to them at each start.
constexpr uint64_t kMasterAccessMask = 805272895;

// A parameter a group may set: its server variable, whether it applies
// only at a restart, its type as RDS shows it, and what it does.
struct MariaDbParameter {
  const char* name;
  bool isStatic;
  const char* type;  // BOOLEAN, INTEGER, REAL, STRING
  const char* defaultValue;
  const char* description;
};

constexpr MariaDbParameter kParameters[] = {
    {"autocommit", false, "BOOLEAN", "1", "Sets the autocommit mode."},
    {"character_set_server", false, "STRING", "utf8mb4", "The server's default character set."},
    {"collation_server", false, "STRING", "utf8mb4_general_ci", "The server's default collation."},
    {"event_scheduler", false, "STRING", "OFF", "Whether the event scheduler runs."},
    {"explicit_defaults_for_timestamp", false, "BOOLEAN", "1", "TIMESTAMP columns take standard defaults."},
    {"general_log", false, "BOOLEAN", "0", "Whether the general query log is on."},
    {"group_concat_max_len", false, "INTEGER", "1048576", "The longest result of GROUP_CONCAT."},
    {"innodb_buffer_pool_size", false, "INTEGER", "134217728", "The InnoDB buffer pool's size in bytes."},
    {"innodb_file_per_table", false, "BOOLEAN", "1", "Each InnoDB table in a file of its own."},
    {"innodb_flush_log_at_trx_commit", false, "INTEGER", "1", "When InnoDB flushes its log (0, 1 or 2)."},
    {"innodb_lock_wait_timeout", false, "INTEGER", "50", "Seconds a transaction waits for a row lock."},
    {"innodb_log_file_size", true, "INTEGER", "100663296", "The size of InnoDB's redo log."},
    {"innodb_print_all_deadlocks", false, "BOOLEAN", "0", "Every deadlock is written to the error log."},
    {"interactive_timeout", false, "INTEGER", "28800", "Seconds an idle interactive connection is kept."},
    {"join_buffer_size", false, "INTEGER", "262144", "The buffer of joins without an index."},
    {"lock_wait_timeout", false, "INTEGER", "86400", "Seconds a statement waits for a metadata lock."},
    {"long_query_time", false, "REAL", "10", "Queries slower than this (seconds) go to the slow query log."},
    {"max_allowed_packet", false, "INTEGER", "16777216", "The largest packet or statement."},
    {"max_connect_errors", false, "INTEGER", "100", "Failed connections before a host is refused."},
    {"max_connections", false, "INTEGER", "151", "The most client connections at once."},
    {"max_heap_table_size", false, "INTEGER", "16777216", "The largest MEMORY table."},
    {"net_read_timeout", false, "INTEGER", "30", "Seconds to wait for more data from a connection."},
    {"net_write_timeout", false, "INTEGER", "60", "Seconds to wait for a block to be written."},
    {"performance_schema", true, "BOOLEAN", "0", "Whether the Performance Schema is on."},
    {"require_secure_transport", false, "BOOLEAN", "0", "TCP clients must use TLS (the socket is Kura's)."},
    {"slow_query_log", false, "BOOLEAN", "0", "Whether the slow query log is on."},
    {"sort_buffer_size", false, "INTEGER", "2097152", "Each sort's buffer."},
    {"sql_mode", false, "STRING", "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
     "The SQL modes of new sessions."},
    {"sync_binlog", false, "INTEGER", "0", "How often the binary log is synced to disk."},
    {"table_open_cache", false, "INTEGER", "2000", "Open tables kept for all threads."},
    {"thread_cache_size", false, "INTEGER", "151", "Threads kept for reuse."},
    {"time_zone", false, "STRING", "UTC", "The time zone of new sessions (a name, or an offset as +01:00)."},
    {"tmp_table_size", false, "INTEGER", "16777216", "The largest internal in-memory temporary table."},
    {"wait_timeout", false, "INTEGER", "28800", "Seconds an idle connection is kept."},
};

const MariaDbParameter* findParameter(const std::string& name) {
  for (const auto& p : kParameters) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

// The option that sets a variable at start (time_zone has its own).
std::string optionOf(const std::string& name) { return name == "time_zone" ? "default_time_zone" : name; }


// A binary log file's name: <base>.NNNNNN (never the index), where the
// base is "mysql-bin" for a server made by create() or restore(), and
// "gen<epoch ms>-bin" for one made as a standby or reader: each server
// that becomes a primary writes files of its own generation, which never
// collide in the instance's (or cluster's) archive with those of the
// primaries before it.
bool isBinlogName(const std::string& name) {
  static const std::regex pattern(R"((mysql|gen\d{13})-bin\.\d{6})");
  return std::regex_match(name, pattern);
}

// Whether `dir` holds a binary log file.
bool holdsBinlog(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (isBinlogName(entry.path().filename().string())) return true;
  }
  return false;
}

// A value in SET GLOBAL: numbers as they are, anything else as a string.
std::string sqlValue(const MariaDbParameter* p, const std::string& value) {
  bool numeric = p != nullptr && std::string(p->type) != "STRING" && !value.empty() &&
                 value.find_first_not_of("0123456789.") == std::string::npos;
  return numeric ? value : quoteLiteral(value);
}


std::string readProcFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

MariaDbEngine::MariaDbEngine(std::string version, engines::EngineUser user, fs::path dataDir)
    : version_(std::move(version)), user_(std::move(user)), dataDir_(fs::absolute(std::move(dataDir)).lexically_normal()) {}

std::string MariaDbEngine::installedVersion() {
  if (::access(kServer, X_OK) != 0 || ::access("/usr/bin/mariadb-backup", X_OK) != 0) return "";
  engines::EngineUser self;
  auto result = engines::runProcess({kServer, "--version"}, self, "", std::chrono::seconds(20));
  // "mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64"
  std::smatch match;
  if (!result.ok() || !std::regex_search(result.output, match, std::regex(R"(Ver (\d+\.\d+\.\d+)-MariaDB)"))) return "";
  return match[1];
}

engines::ProcessResult MariaDbEngine::run(const std::vector<std::string>& argv, const std::string& stdinText,
                                          std::chrono::seconds timeout,
                                          const engines::Confinement& confinement) const {
  return engines::runProcess(argv, user_, stdinText, timeout, {}, confinement);
}

Result<bool> MariaDbEngine::prepareDir(const fs::path& dir) const {
  auto made = engines::prepareEngineDir(dir, user_, dataDir_);
  if (!made.ok) return ApiError::internal(made.error);
  return true;
}

Result<bool> MariaDbEngine::prepareDirs(const EngineLayout& layout) const {
  // no-files and no-plugins stay empty: the server imports and exports
  // files only there, and loads plugins only from there.
  // tmp: the server's temporary files, its own (the host's /tmp is shared
  // with every other server, whose temporary names can collide with its).
  // run: its pid file, even when its socket is elsewhere (a deep folder's
  // is too long for a socket's path: socketDir).
  for (const fs::path& dir : {layout.dir, layout.dir / "log", layout.dir / "binlog", layout.dir / "no-files",
                              layout.dir / "no-plugins", layout.dir / "tmp", layout.dir / "run", socketDir(layout),
                              layout.walArchive}) {
    if (auto made = prepareDir(dir); !made) return made;
  }
  if (!layout.walOutbox.empty()) return prepareDir(layout.walOutbox);
  return true;
}

std::optional<FileOwner> MariaDbEngine::fileOwner() const {
  if (!user_.drop) return std::nullopt;
  return FileOwner{static_cast<uid_t>(user_.uid), static_cast<gid_t>(user_.gid)};
}

std::string MariaDbEngine::adminUser() const {
  if (user_.drop) return user_.name;
  struct passwd* self = ::getpwuid(::geteuid());
  return self != nullptr ? self->pw_name : "root";
}

Result<bool> MariaDbEngine::writeSettings(const EngineLayout& layout) const {
  // The parameter group's values first: Kura's own settings below win.
  std::string settings = "# Written by Kura for this instance; do not edit.\n[mariadbd]\n";
  settings += "default_time_zone = \"+00:00\"\ncharacter_set_server = utf8mb4\ncollation_server = utf8mb4_general_ci\n";
  settings += "# From the instance's DB parameter group.\n";
  for (const auto& [name, value] : layout.parameters) {
    if (findParameter(name) == nullptr) continue;  // the API admits no other
    settings += optionOf(name) + " = " + quoteOption(value) + "\n";
  }
  settings += fmt::format(
      "# Kura's own.\n"
      "datadir = {}\n"
      "socket = {}\n"
      "pid_file = {}\n"
      "port = {}\n"
      "bind_address = 127.0.0.1\n"
      "skip_name_resolve\n"
      // Probes and failed logins never get 127.0.0.1 blocked for every client.
      "host_cache_size = 0\n"
      "log_error = {}\n"
      "secure_file_priv = {}\n"
      "tmpdir = {}\n"
      "local_infile = 0\n"
      "plugin_dir = {}\n"
      "plugin_maturity = stable\n"
      "symbolic_links = 0\n"
      "init_file = {}\n"
      "log_bin = {}\n"
      "binlog_format = ROW\n"
      "expire_logs_days = 7\n",
      dataOf(layout).string(), socketOf(layout).string(), (layout.dir / "run" / "mariadbd.pid").string(), layout.port,
      (layout.dir / "log" / "mysql-error.log").string(), (layout.dir / "no-files").string(),
      (layout.dir / "tmp").string(), (layout.dir / "no-plugins").string(), (layout.dir / "init.sql").string(),
      (layout.dir / "binlog" / binlogBase(layout)).string());
  if (auto logs = mariaDbLogSettings(layout, dataDir_, adminUser()); logs) settings += *logs; else return logs.error();
  if (auto iam = mariaDbIamAuthSettings(layout, dataDir_); iam) settings += *iam; else return iam.error();
  settings += replicationSettings(layout);
  if (auto tls = writeServerCertificate(layout, fileOwner()); !tls) return tls.error();
  settings += mariaDbTlsSettings(layout);
  // Run by the server at every start before it takes a connection: Kura's
  // account is what it must be, and every other one (the master, those it
  // made, anything written into the grant tables meanwhile) has no more
  // than the master's privileges. One statement a line, as the server reads it.
  std::string admin = quoteLiteral(adminUser());
  std::string init = fmt::format(
      "SET sql_log_bin = 0;\n"
      "DELETE FROM mysql.global_priv WHERE User = 'root' OR (User = {0} AND Host <> 'localhost');\n"
      "REPLACE INTO mysql.global_priv (Host, User, Priv) VALUES ('localhost', {0}, "
      "'{{\"access\":18446744073709551615,\"plugin\":\"unix_socket\",\"authentication_string\":\"\"}}');\n"
      "UPDATE mysql.global_priv SET Priv = JSON_SET(Priv, '$.access', "
      "CAST(JSON_VALUE(Priv, '$.access') AS UNSIGNED) & {1}) WHERE NOT (User = {0} AND Host = 'localhost');\n"
      "DELETE FROM mysql.proxies_priv WHERE NOT (User = {0} AND Host = 'localhost');\n"
      "{2}"
      "FLUSH PRIVILEGES;\n",
      admin, kMasterAccessMask, replicationAccountInit());
  // The instance's directory belongs to the engine user: Kura's files in it
  // are replaced whole (a link planted in their place goes, never followed).
  if (!replaceBeneath(layout.dir, "kura.cnf", settings, fileOwner()) ||
      !replaceBeneath(layout.dir, "init.sql", init, fileOwner())) {
    return ApiError::internal("cannot write the settings of " + layout.dir.string() + ": " + std::strerror(errno));
  }
  return true;
}

int MariaDbEngine::serverPid(const EngineLayout& layout) const {
  // The pid file is the engine's to write: its pid counts only if that
  // process is a mariadbd working in this instance's data directory.
  std::string text = readBeneath(layout.dir, "run/mariadbd.pid", 0, 64).value_or("");
  int pid = std::atoi(text.c_str());
  if (pid <= 1 || !engines::processAlive(pid)) return 0;
  fs::path proc = fs::path("/proc") / std::to_string(pid);
  std::string comm = readProcFile(proc / "comm");
  if (comm != "mariadbd\n") return 0;
  std::error_code ec;
  fs::path cwd = fs::read_symlink(proc / "cwd", ec);
  if (ec || cwd != fs::weakly_canonical(dataOf(layout), ec)) return 0;
  return pid;
}

bool MariaDbEngine::running(const EngineLayout& layout) { return serverPid(layout) != 0; }

InstanceEngine::ServerExecutable MariaDbEngine::serverExecutable(const EngineLayout& layout) {
  auto replaced = engines::runsReplacedExecutable(serverPid(layout), kServer);  // checked to be this instance's
  if (!replaced) return ServerExecutable::kUnknown;
  return *replaced ? ServerExecutable::kReplaced : ServerExecutable::kInstalled;
}

Result<std::string> MariaDbEngine::sql(const EngineLayout& layout, const std::string& statement,
                                       std::chrono::seconds timeout) const {
  // The statement on standard input (never in the arguments, which any
  // user of the host can read).
  auto result = run({kClient, "--no-defaults", "--protocol=socket", "--socket=" + socketOf(layout).string(),
                     "--user=" + adminUser(), std::string("--init-command=") + kAdminSession, "--batch",
                     "--skip-column-names", "--raw"},
                    statement + ";\n", timeout);
  if (!result.ok()) return engineError("SQL failed", result);
  std::string out = result.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

Result<bool> MariaDbEngine::create(const EngineLayout& layout) {
  // Made whole once: an attempt cut off (or failed) half way is made again.
  if (statBeneath(layout.dir, kCreatedMark)) return writeSettings(layout);
  if (auto stopped = stop(layout); !stopped) return stopped;
  if (auto made = prepareDirs(layout); !made) return made;
  std::error_code ec;
  fs::remove_all(dataOf(layout), ec);
  if (auto installed = copyTemplate(layout); !installed) return installed;
  if (auto written = writeSettings(layout); !written) return written;
  if (auto started = start(layout); !started) return started.error();
  if (!layout.dbName.empty()) {
    auto made = sql(layout, "CREATE DATABASE IF NOT EXISTS " + quoteIdentifier(layout.dbName));
    if (!made) return made.error();
  }
  if (!writeBeneath(layout.dir, kCreatedMark, "", WriteMode::Truncate, fileOwner())) {
    return ApiError::internal("cannot mark " + layout.dir.string() + " made");
  }
  return true;
}

Result<bool> MariaDbEngine::copyTemplate(const EngineLayout& layout) {
  // mariadb-install-db and the named time zones give every instance the
  // same files (about two seconds of a create): made once per Kura process
  // into a template (one an earlier process left, whole or not, is made
  // anew), which each new instance copies.
  static std::mutex mutex;
  static std::set<fs::path> made;
  fs::path dir = dataDir_ / "rds" / "mariadb-template";
  std::unique_lock lock(mutex);
  if (!made.contains(dir)) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (auto prepared = prepareDir(dir); !prepared) return prepared;
    if (auto prepared = prepareDir(dir / "tmp"); !prepared) return prepared;
    auto result = run({"/usr/bin/mariadb-install-db", "--no-defaults", "--datadir=" + (dir / "data").string(),
                       "--tmpdir=" + (dir / "tmp").string(), "--auth-root-authentication-method=socket",
                       "--auth-root-socket-user=" + adminUser(), "--skip-test-db", "--skip-name-resolve"},
                      "", std::chrono::seconds(180));
    if (!result.ok()) {
      // The tool's first lines say what went wrong (its last ones are advice).
      return ApiError::internal("mariadb-install-db failed: " + result.output.substr(0, 600));
    }
    // Named time zones (RDS's time_zone values are names), from the host's
    // tzdata: several megabytes of SQL, read by the server in bootstrap
    // mode (no connection, no binary or general log).
    if (fs::exists("/usr/share/zoneinfo/UTC")) {
      auto zones = run({"/bin/sh", "-c",
                        "{ echo 'USE mysql;'; /usr/bin/mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null; } | " +
                            std::string(kServer) +
                            " --no-defaults --bootstrap --datadir=\"$0\" --tmpdir=\"$1\" --log-warnings=0 "
                            "--max-allowed-packet=8M",
                        (dir / "data").string(), (dir / "tmp").string()},
                       "", std::chrono::seconds(180));
      if (!zones.ok()) return engineError("cannot load the time zones", zones);
    }
    made.insert(dir);
  }
  lock.unlock();  // made once, only read from now on
  // Copied as the engine user, so that the files are its own.
  auto copied = run({"/bin/cp", "-R", "--preserve=mode,timestamps", (dir / "data").string(), dataOf(layout).string()},
                    "", std::chrono::seconds(180));
  if (!copied.ok()) return engineError("cannot copy the template's files", copied);
  return true;
}

Result<bool> MariaDbEngine::ensureMaster(const EngineLayout& layout) {
  if (layout.masterUser == adminUser()) return ApiError::internal("the master user cannot be Kura's own account");
  std::string master = quoteLiteral(layout.masterUser) + "@'%'";
  // Never in the general log: the statement holds the password.
  auto made = sql(layout, "SET SESSION sql_log_off = 1;\nCREATE USER IF NOT EXISTS " + master + " IDENTIFIED BY " +
                              quoteLiteral(layout.masterPassword) + ";\nGRANT " + kMasterPrivileges + " ON *.* TO " +
                              master + " WITH GRANT OPTION");
  if (!made) return ApiError::internal("cannot create the master user");  // never echo the statement
  return true;
}

// What the server may reach (confinement.h): its own directory and
// socket, and the plugins Kura places for it. Its binary logs are archived
// by Kura, and a replay reads the archive through Kura's tools.
engines::Confinement MariaDbEngine::serverConfinement(const EngineLayout& layout) const {
  engines::Confinement confined;
  confined.writable = {layout.dir, socketDir(layout)};
  confined.readable = {dataDir_ / "rds" / "mariadb-plugins"};
  confined.listenPorts = {layout.port};
  confined.memoryBytes = layout.memoryBytes;
  confined.memoryGroupOf = layout.dir;
  warnIfUnbounded(layout);
  return confined;
}

Result<bool> MariaDbEngine::start(const EngineLayout& layout) {
  if (!fs::exists(dataOf(layout) / "mysql")) return ApiError::internal("the instance has no database files");
  if (auto made = prepareDirs(layout); !made) return made;
  if (auto written = writeSettings(layout); !written) return written;
  bool launched = !running(layout);
  if (launched) {
    // Daemonized (setsid -f: a session of its own, out of Kura's process
    // group, not killed with it): the next Kura adopts it by its pid file.
    auto result = run({"/bin/sh", "-c", "exec /usr/bin/setsid -f " + std::string(kServer) +
                                            " --defaults-file=\"$0\" </dev/null >/dev/null 2>&1",
                       configOf(layout).string()},
                      "", std::chrono::seconds(30), serverConfinement(layout));
    if (!result.ok()) return engineError("MariaDB did not start", result);
    // Up once it answers on its port (after the init file: before that it takes no connection).
    bool up = engines::waitUntil(
        [&] { return running(layout) && healthy(layout, std::chrono::milliseconds(500)); }, std::chrono::seconds(120));
    if (!up) {
      auto size = statBeneath(layout.dir, "log/mysql-error.log");
      uint64_t from = size && size->st_size > 1200 ? static_cast<uint64_t>(size->st_size) - 1200 : 0;
      return ApiError::internal("MariaDB did not start: " +
                                readBeneath(layout.dir, "log/mysql-error.log", from, 1200).value_or(""));
    }
  }
  // A replica has the master user its upstream has (and changes nothing itself).
  if (isReplica(layout)) {
    if (auto replicating = startReplication(layout); !replicating) return replicating;
  } else if (auto master = ensureMaster(layout); !master) {
    return master;
  }
  return launched;
}

Result<bool> MariaDbEngine::stop(const EngineLayout& layout) {
  int pid = serverPid(layout);
  if (pid == 0) return true;
  // SIGTERM is a clean shutdown; sent as the engine user, who owns the server.
  run({"/bin/kill", "-TERM", std::to_string(pid)}, "", std::chrono::seconds(10));
  if (engines::waitUntil([&] { return !engines::processAlive(pid); }, std::chrono::seconds(90))) {
    engines::memoryCgroups().remove(layout.dir);
    return true;
  }
  return fence(layout);
}

Result<bool> MariaDbEngine::fence(const EngineLayout& layout) {
  int pid = serverPid(layout);
  if (pid == 0) return true;
  run({"/bin/kill", "-KILL", std::to_string(pid)}, "", std::chrono::seconds(10));
  if (!engines::waitUntil([&] { return !engines::processAlive(pid); }, std::chrono::seconds(5))) {
    return ApiError::internal("the MariaDB server did not die");
  }
  return true;
}

Result<bool> MariaDbEngine::setMasterPassword(const EngineLayout& layout) {
  if (isReplica(layout)) return true;  // it comes with replication
  std::string master = quoteLiteral(layout.masterUser) + "@'%'";
  auto changed = sql(layout, "SET SESSION sql_log_off = 1;\nALTER USER " + master + " IDENTIFIED BY " +
                                 quoteLiteral(layout.masterPassword));
  if (!changed) return ApiError::internal("cannot set the master password");  // never echo the statement
  return true;
}

Result<bool> MariaDbEngine::reload(const EngineLayout& layout) {
  if (auto written = writeSettings(layout); !written) return written;
  if (!running(layout)) return true;  // read at the next start
  // The dynamic values now; static ones wait for the next start. A value
  // the group no longer sets keeps what it has until then.
  // Commits wait for a standby (or stop waiting) at once.
  std::string statements = std::string("SET GLOBAL rpl_semi_sync_master_enabled = ") +
                           (waitsForStandby(layout) ? "ON" : "OFF") + ";\n";
  for (const auto& [name, value] : layout.parameters) {
    const MariaDbParameter* p = findParameter(name);
    if (p == nullptr || p->isStatic) continue;
    statements += "SET GLOBAL " + name + " = " + sqlValue(p, value) + ";\n";
  }
  // Once per server: the supervisor asks at every pass, and a hung server
  // must not hold it up each time (only the master's sessions change, never
  // the global values: it has no SUPER).
  int pid = serverPid(layout);
  {
    std::lock_guard lock(appliedMutex_);
    auto found = applied_.find(layout.dir);
    if (found != applied_.end() && found->second == std::make_pair(pid, statements)) return true;
  }
  auto applied = sql(layout, statements, std::chrono::seconds(10));
  if (!applied) return applied.error();
  std::lock_guard lock(appliedMutex_);
  applied_[layout.dir] = {pid, statements};
  return true;
}

Result<BackupResult> MariaDbEngine::backup(const EngineLayout& layout, const fs::path& target) {
  std::error_code ec;
  fs::remove_all(target, ec);
  if (auto made = prepareDir(target); !made) return made.error();
  BackupResult backup;
  backup.startTime = std::chrono::system_clock::now();
  fs::path base = target / "base";
  auto copied = run({"/usr/bin/mariadb-backup", "--defaults-file=" + configOf(layout).string(), "--backup",
                     "--target-dir=" + base.string(), "--socket=" + socketOf(layout).string(), "--user=" + adminUser()},
                    "", std::chrono::minutes(60));
  if (!copied.ok()) return engineError("mariadb-backup failed", copied);
  // Prepared now: a restore is a copy, and a backup that cannot be prepared fails here.
  auto prepared = run({"/usr/bin/mariadb-backup", "--no-defaults", "--prepare", "--target-dir=" + base.string()}, "",
                      std::chrono::minutes(60));
  if (!prepared.ok()) return engineError("mariadb-backup --prepare failed", prepared);
  backup.bytes = engines::writeManifest(
      target, {{"engine", "mariadb"}, {"version", version_}, {"startTime", toEpochSeconds(backup.startTime)}});
  return backup;
}

Result<bool> MariaDbEngine::restore(const fs::path& backup, const EngineLayout& layout,
                                    std::optional<SystemTime> until, const fs::path& walArchive) {
  // Checksums first: a damaged backup fails here, before anything is made.
  auto check = engines::verifyManifest(backup);
  if (!check.ok) return ApiError::sender("InvalidRestoreFault", check.error);
  if (check.manifest.value("engine", "") != "mariadb") {
    return ApiError::sender("InvalidRestoreFault", "the snapshot is not a MariaDB backup");
  }
  // A server an attempt cut off by a crash left running (the point in time
  // replay's) would outlive its files, keep the port and be taken for none:
  // it goes first. Its binary log holds that attempt's replay and goes too.
  if (auto fenced = fence(layout); !fenced) return fenced;
  std::error_code ec;
  fs::remove_all(dataOf(layout), ec);
  fs::remove_all(layout.dir / "binlog", ec);
  // A primary (a cluster's new writer may have been a reader).
  if (auto forgotten = forgetUpstream(layout); !forgotten) return forgotten;
  if (auto made = prepareDirs(layout); !made) return made;
  // Copied as the engine user, so that the files are its own.
  auto copied = run({"/bin/cp", "-R", "--preserve=mode,timestamps", (backup / "base").string(), dataOf(layout).string()},
                    "", std::chrono::minutes(60));
  if (!copied.ok()) return engineError("cannot copy the snapshot's files", copied);
  if (auto written = writeSettings(layout); !written) return written;
  if (walArchive.empty()) return true;
  // Point in time: the archive replayed on the server, then stopped, all
  // within this step: one cut off by a crash is taken again from the copy.
  if (auto started = start(layout); !started) return started.error();
  auto replayed = replay(layout, walArchive, until);
  auto stopped = stop(layout);
  if (!replayed) return replayed;
  return stopped;
}

Result<bool> MariaDbEngine::replay(const EngineLayout& layout, const fs::path& archive, std::optional<SystemTime> until) {
  // Where the backup ends in the source's binary log: "mysql-bin.000003\t1234\t0-1-56".
  std::string info = readBeneath(layout.dir, "data/xtrabackup_binlog_info", 0, 4096).value_or("");
  std::istringstream fields(info);
  std::string first, position, backupGtid;
  if (!(fields >> first >> position) || !isBinlogName(first) ||
      position.find_first_not_of("0123456789") != std::string::npos) {
    return ApiError::sender("InvalidRestoreFault", "the backup does not say where the binary log continues it");
  }
  fields >> backupGtid;
  // The archive's generations (one per primary, see isBinlogName) in the
  // order they became primary: the first server's, then each promoted one,
  // which left "<base>.promoted" ("<sequence> <epoch ms>": the newest
  // transaction it had when promoted). What a generation logged beyond its
  // successor's promotion was never acknowledged (the successor had every
  // commit that was) and is cut off.
  struct Generation {
    std::string base;
    uint64_t promotedAt = 0;  // epoch ms (0: the first server)
    uint64_t promotedSeq = 0;
    std::vector<std::string> files;
  };
  std::map<std::string, Generation> byBase;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(archive, ec)) {
    std::string name = entry.path().filename().string();
    if (isBinlogName(name)) {
      std::string base = name.substr(0, name.size() - 7);
      byBase[base].base = base;
      byBase[base].files.push_back(name);
    } else if (name.ends_with("-bin.promoted") && isBinlogName(name.substr(0, name.size() - 9) + ".000001")) {
      std::string base = name.substr(0, name.size() - 9);
      std::istringstream marker(readBeneath(archive, name, 0, 256).value_or(""));
      Generation& generation = byBase[base];
      generation.base = base;
      marker >> generation.promotedSeq >> generation.promotedAt;
    }
  }
  std::vector<Generation> order;
  for (auto& [base, generation] : byBase) {
    // Only the first server's and promoted ones' files are the instance's history.
    if (generation.files.empty() || (base != "mysql-bin" && generation.promotedAt == 0)) continue;
    std::sort(generation.files.begin(), generation.files.end());
    order.push_back(std::move(generation));
  }
  std::sort(order.begin(), order.end(), [](const Generation& a, const Generation& b) { return a.promotedAt < b.promotedAt; });
  std::string firstBase = first.substr(0, first.size() - 7);
  auto own = std::find_if(order.begin(), order.end(), [&](const Generation& g) { return g.base == firstBase; });
  if (own == order.end()) return ApiError::sender("InvalidRestoreFault", "the binary log archive lacks " + first);
  bool fromOwn = std::find(own->files.begin(), own->files.end(), first) != own->files.end();
  if (!fromOwn && gtidSequence(backupGtid) == 0) {
    return ApiError::sender("InvalidRestoreFault", "the binary log archive lacks " + first);
  }
  // Everything logged up to the second asked for (the log's times are whole seconds).
  std::string stop;
  if (until) {
    std::string iso = formatIso8601(std::chrono::time_point_cast<std::chrono::seconds>(*until) + std::chrono::seconds(1));
    stop = iso.substr(0, 10) + " " + iso.substr(11, 8);
  }
  auto replayFiles = [&](const std::string& from, const std::string& to,
                         const std::vector<std::string>& files) -> Result<bool> {
    std::vector<std::string> argv = {
        "/bin/bash", "-c",
        "set -o pipefail; socket=\"$1\" user=\"$2\" position=\"$3\" stop=\"$4\" to=\"$5\"; shift 5; "
        "if [ -n \"$stop\" ]; then set -- --stop-datetime=\"$stop\" \"$@\"; fi; "
        "if [ -n \"$to\" ]; then set -- --stop-position=\"$to\" \"$@\"; fi; "
        // Both ends of the pipe die with the shell, which dies with Kura: none
        // replays on into a server the next attempt discards.
        "/usr/bin/setpriv --pdeathsig KILL /usr/bin/mariadb-binlog --no-defaults --start-position=\"$position\" \"$@\" | "
        "/usr/bin/setpriv --pdeathsig KILL " +
            std::string(kClient) + " --no-defaults --protocol=socket --socket=\"$socket\" --user=\"$user\"",
        "replay", socketOf(layout).string(), adminUser(), from, stop, to};
    for (const std::string& name : files) argv.push_back((archive / name).string());
    auto result = run(argv, "", std::chrono::minutes(60));
    if (!result.ok()) return engineError("cannot replay the binary log archive", result);
    return true;
  };
  // Where each generation ends: its successor's promotion ("" for the last).
  auto endOf = [&](std::vector<Generation>::iterator it) {
    auto next = std::next(it);
    return next == order.end() ? std::string() : "0-1-" + std::to_string(next->promotedSeq);
  };
  auto it = own;
  if (fromOwn) {
    // The backup's generation from its position in its file.
    std::vector<std::string> files(std::find(it->files.begin(), it->files.end(), first), it->files.end());
    if (auto replayed = replayFiles(position, endOf(it), files); !replayed) return replayed;
  }
  // The later ones by GTID, each from the newest transaction replayed so
  // far (a new primary's log also holds what it replicated before its
  // promotion; the replayed events keep their GTIDs).
  for (++it; it != order.end(); ++it) {
    auto logged = sql(layout, "SELECT @@gtid_binlog_pos", std::chrono::seconds(10));
    if (!logged) return logged.error();
    uint64_t reached = std::max(gtidSequence(*logged), gtidSequence(backupGtid));
    // It must go on from there: a generation that begins later would leave
    // out what lay between (never restored silently).
    auto firstGtid = run({"/bin/bash", "-c",
                          "/usr/bin/mariadb-binlog --no-defaults \"$1\" | grep -m1 -o 'GTID 0-[0-9]*-[0-9]*'",
                          "first-gtid", (archive / it->files.front()).string()},
                         "", std::chrono::minutes(5));
    uint64_t begins = gtidSequence(firstGtid.output.size() > 5 ? firstGtid.output.substr(5) : "");
    if (begins > reached + 1) {
      return ApiError::sender("InvalidRestoreFault", fmt::format("the binary log archive has a gap: transactions {} "
                                                                 "to {} are in none of its files",
                                                                 reached + 1, begins - 1));
    }
    if (auto replayed = replayFiles("0-1-" + std::to_string(reached), endOf(it), it->files); !replayed) return replayed;
  }
  return true;
}

std::optional<SystemTime> MariaDbEngine::latestRestorableTime(const EngineLayout& layout) {
  return archiveBinlogs(layout);
}

std::optional<std::string> MariaDbEngine::copyBinlogs(const EngineLayout& layout, bool withActive) {
  // Encrypted instances: copied into the outbox, which the supervisor seals into the archive.
  const fs::path& into = layout.walOutbox.empty() ? layout.walArchive : layout.walOutbox;
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(layout.dir / "binlog", ec)) {
    std::string name = entry.path().filename().string();
    if (isBinlogName(name)) names.push_back(name);
  }
  if (names.empty()) return std::nullopt;
  std::sort(names.begin(), names.end());
  // The last one is still written to (unless the server is gone for good).
  for (size_t i = 0; i + (withActive ? 0 : 1) < names.size(); ++i) {
    const std::string& name = names[i];
    if (fs::exists(layout.walArchive / name, ec) || fs::exists(into / name, ec)) continue;
    // Never through a link, and never a FIFO the engine left under a binary log's name.
    if (!copyBeneath(layout.dir, fs::path("binlog") / name, into, name, fileOwner())) return std::nullopt;
    // A file copied when written to no more keeps its time: the archive's
    // times say what it can restore to (see archiveBinlogs), and what a
    // dead primary logged last is no newer than its death.
    auto source = statBeneath(layout.dir, fs::path("binlog") / name);
    if (withActive && source) {
      struct timespec times[2] = {source->st_mtim, source->st_mtim};
      ::utimensat(AT_FDCWD, (into / name).c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
  }
  return names.back();
}

Result<bool> MariaDbEngine::archiveTail(const EngineLayout& layout) {
  // A fenced old primary's last files (the one it wrote to when it died
  // among them) before its directory is made a standby again: what its
  // successor replicated of them is in no other log when the successor was
  // made after they were archived. What lies beyond its successor's
  // promotion (commits never acknowledged) is cut off at replay.
  if (isReplica(layout) || running(layout)) return true;
  std::lock_guard lock(archiveMutex_);
  std::error_code ec;
  if (!fs::exists(layout.dir / "binlog", ec)) return true;
  if (!copyBinlogs(layout, true) && holdsBinlog(layout.dir / "binlog")) {
    return ApiError::internal("cannot archive the old primary's binary log");
  }
  return true;
}

std::optional<SystemTime> MariaDbEngine::archiveBinlogs(const EngineLayout& layout) {
  std::lock_guard lock(archiveMutex_);
  auto copyClosed = [&] { return copyBinlogs(layout, false); };
  auto active = copyClosed();
  if (!active) return std::nullopt;
  // Taken before anything is asked of the server: what is logged after it
  // makes the file longer.
  auto activeInfo = statBeneath(layout.dir, fs::path("binlog") / *active);
  if (!activeInfo) return std::nullopt;
  // What is archived is known from the server, not from the files' times: a
  // commit logged while a closed file was being copied (or sealed) is in no
  // archived file, yet older than the copy.
  ArchiveProgress& progress = archiveProgress_[layout.dir];
  // A file still in the outbox (an encrypted instance's, waiting to be
  // sealed) is not in the archive yet: what could be restored before.
  auto sealing = [&] { return !layout.walOutbox.empty() && holdsBinlog(layout.walOutbox); };
  if (sealing()) return progress.restorable;
  std::string activeKey = fmt::format("{} {} {}", *active, activeInfo->st_ino, activeInfo->st_size);
  SystemTime now = std::chrono::system_clock::now();
  // Nothing logged since the last rotation, all of whose files are
  // archived: every moment up to now can be restored.
  if (progress.loggedAtRotation) {
    if (progress.quietActive == activeKey) return progress.restorable = now - std::chrono::seconds(1);
    auto logged = sql(layout, "SELECT @@gtid_binlog_pos", std::chrono::seconds(10));
    if (logged && *logged == *progress.loggedAtRotation) {
      progress.quietActive = activeKey;
      return progress.restorable = now - std::chrono::seconds(1);
    }
  }
  // Logged since: rotated (at most every 3 s) and the closed file copied.
  // What was logged before the rotation began is in a closed file (what was
  // logged between the two statements too: it is then found logged since,
  // and taken at the next rotation).
  if (std::chrono::steady_clock::now() - progress.rotatedAt >= std::chrono::seconds(3) && running(layout)) {
    progress.rotatedAt = std::chrono::steady_clock::now();
    now = std::chrono::system_clock::now();
    auto logged = sql(layout, "SELECT @@gtid_binlog_pos;\nFLUSH BINARY LOGS", std::chrono::seconds(10));
    if (logged && copyClosed()) {
      progress.loggedAtRotation = *logged;
      progress.rotationStarted = now;
      progress.quietActive.clear();
    }
    if (sealing()) return progress.restorable;
  }
  // A commit is stamped with the second its statement began: less a second.
  if (progress.loggedAtRotation) return progress.restorable = progress.rotationStarted - std::chrono::seconds(1);
  // Not rotated since Kura started (the server is down): nothing more is
  // known to be archived than what was counted before. (The archived
  // files' times say when they were copied, not up to when they hold.)
  return std::nullopt;
}

bool MariaDbEngine::healthy(const EngineLayout& layout, std::chrono::milliseconds timeout) {
  // The server's greeting (a handshake packet, or an error packet when it
  // refuses more connections: alive either way). After the packet's 4-byte
  // header: protocol version 10, or 0xff (an error).
  std::string greeting = engines::probeTcp(layout.port, "", 5, timeout);
  return greeting.size() == 5 && (greeting[4] == 10 || static_cast<unsigned char>(greeting[4]) == 0xff);
}

std::optional<int64_t> MariaDbEngine::connections(const EngineLayout& layout) {
  // Client sessions only (not Kura's own, nor the server's threads).
  auto count = sql(layout,
                   "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER NOT IN (" +
                       quoteLiteral(adminUser()) + ", 'system user', 'event_scheduler') AND COMMAND <> 'Daemon'",
                   std::chrono::seconds(3));
  if (!count) return std::nullopt;
  try {
    return std::stoll(*count);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Result<bool> MariaDbEngine::destroy(const EngineLayout& layout) {
  {
    std::lock_guard lock(archiveMutex_);
    archiveProgress_.erase(layout.dir);
  }
  {
    std::lock_guard lock(appliedMutex_);
    applied_.erase(layout.dir);
  }
  std::error_code ec;
  if (socketDir(layout).parent_path() != layout.dir) fs::remove_all(socketDir(layout), ec);  // a short one outside
  fs::remove_all(layout.dir, ec);
  engines::memoryCgroups().remove(layout.dir);
  if (ec) return ApiError::internal("cannot remove " + layout.dir.string() + ": " + ec.message());
  return true;
}

Result<bool> MariaDbEngine::share(const EngineLayout&, const fs::path& dir) {
  auto given = engines::giveTree(dir, user_);
  if (!given.ok) return ApiError::internal(given.error);
  return true;
}

std::vector<EngineParameter> MariaDbEngine::describeParameters() {
  std::vector<EngineParameter> out;
  for (const auto& p : kParameters) {
    out.push_back({p.name, p.isStatic ? "postmaster" : "user", p.type, p.defaultValue, "", "", p.description});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<bool> MariaDbEngine::checkParameters(const std::map<std::string, std::string>& values) const {
  // mariadbd --help parses every option as a start would and refuses a bad
  // value ("Error while setting value 'x' to 'sql_mode'"). time_zone is
  // checked against the zone tables only at start.
  std::vector<std::string> argv = {kServer, "--no-defaults"};
  for (const auto& [name, value] : values) {
    const MariaDbParameter* p = findParameter(name);
    if (p == nullptr) return ApiError::sender("InvalidParameterValue", "Could not find parameter with name: " + name);
    if (name == "time_zone") continue;
    argv.push_back("--" + name + "=" + value);
  }
  argv.insert(argv.end(), {"--verbose", "--help"});
  auto result = run(argv, "", std::chrono::seconds(30));
  if (result.ok()) return true;
  std::string message;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    size_t at = line.find("[ERROR] ");
    if (at == std::string::npos) continue;
    std::string text = line.substr(at + 8);
    for (const char* noise : {"Buffered error: ", "/usr/sbin/mariadbd: "}) {
      if (text.rfind(noise, 0) == 0) text = text.substr(std::strlen(noise));
    }
    if (text.find("Aborting") != std::string::npos) continue;
    message += (message.empty() ? "" : " ") + text;
  }
  return ApiError::sender("InvalidParameterValue", message.empty() ? "MariaDB rejects these parameters" : message);
}

}  // namespace kura::rds
