#include "rds/postgres_engine.h"

#include "engines/backup_manifest.h"
#include "engines/memory_cgroup.h"
#include "engines/replaced_executable.h"
#include "engines/tcp_probe.h"

#include "rds/engine_tls.h"
#include "rds/log_shipper.h"
#include "rds/postgres_query.h"
#include "rds/postgres_sessions.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/confined_file.h"
#include "common/crypto.h"
#include "common/time_format.h"
#include "common/tool_cut.h"

namespace kura::rds {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

fs::path pgdata(const EngineLayout& layout) { return layout.dir / "pgdata"; }

// Kura's own superuser in every instance: reached only over the instance's
// Unix socket (which only the engine user can open), never over TCP. The
// master user is an ordinary role with what RDS gives it (below).
constexpr const char* kAdminUser = "rdsadmin";

// Extensions the master user may create although PostgreSQL calls them
// untrusted: pgextwlist creates them as a superuser would. Trusted ones
// (pgcrypto, hstore, citext, ...) need no list; anything else stays refused.
constexpr const char* kAllowedExtensions =
    "pgaudit,pg_stat_statements,pgcrypto,hstore,citext,pg_trgm,uuid-ossp,btree_gin,btree_gist,tablefunc,"
    "intarray,fuzzystrmatch,unaccent,ltree,cube,earthdistance,isn,tsm_system_rows,tsm_system_time,"
    "pg_buffercache,pg_prewarm,pgrowlocks,pgstattuple,pg_visibility,amcheck,postgres_fdw,dblink";

// Who may connect how: Kura's role over the socket only; a member of
// rds_iam by IAM database authentication token alone, over TLS alone (the
// `ldap` method in simple-bind mode, towards Kura's responder on
// 127.0.0.1, src/dbauth/); over TCP every other role with its password
// (only over TLS when the group's rds.force_ssl is 1), and no replication
// connection at all.
std::string hostBasedAuthentication(const EngineLayout& layout, bool forceTls) {
  std::string tcp = forceTls ? "hostssl" : "host";
  std::string iam;
  if (layout.dbAuthPort > 0 && !layout.dbAuthKey.empty()) {
    iam = fmt::format("hostssl all +rds_iam all ldap ldapserver=127.0.0.1 ldapport={} ldapprefix=\"uid=\" "
                      "ldapsuffix=\",ou={}\"\n",
                      layout.dbAuthPort, layout.dbAuthKey);
  }
  return "# Written by Kura for this instance; do not edit.\n"
         "local all rdsadmin trust\n"
         "local replication rdsadmin trust\n"
         "local all all trust\n"
         "host all rdsadmin all reject\n"
         "host replication all all reject\n" +
         iam + "host all +rds_iam all reject\n" +
         tcp + " all all 127.0.0.1/32 scram-sha-256\n" +
         tcp + " all all ::1/128 scram-sha-256\n";
}

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

// Kura's probes of every pass (postgres_query.h), over the instance's own
// socket as its admin user; each given at most kProbeTimeout.
constexpr auto kProbeTimeout = std::chrono::seconds(3);
PostgresTarget queryTarget(const EngineLayout& layout) {
  return {socketDir(layout), layout.port, kAdminUser, "postgres"};
}

// The archive's files a restore may replay (PostgresEngine::restore).
constexpr const char* kRestoreFileList = "restore-wal-files";
// Where a restore replays from (another instance's archive, or one opened
// for it), noted for the server's start, which may read there until the
// replay ends. In a directory of Kura's own that no server may write (one
// beside an instance's directory could be the writable directory of
// another server: a Multi-AZ instance's nodes sit in a Single-AZ one's),
// named by the instance's directory.
constexpr const char* kReplaySources = "replay-sources";
fs::path replaySourceFile(const EngineLayout& layout) {
  return sha256Hex(fs::absolute(layout.dir).lexically_normal().string()).substr(0, 32);
}
// An idle verdict is kept only on a newest WAL file at least this much
// older than the verdict: far more than a tick of the kernel's clock.
constexpr auto kRacyMarkMargin = std::chrono::seconds(1);

// A WAL segment's name: 24 upper-case hex digits (never .partial or .history).
bool isSegmentName(const std::string& name) {
  return name.size() == 24 && name.find_first_not_of("0123456789ABCDEF") == std::string::npos;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A value in postgresql.conf: quotes doubled, backslashes and line ends
// escaped (the file's strings take backslash escapes, so a value ending in
// a backslash cannot run on past its closing quote, nor a line end start
// another setting).
std::string quoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out + "'";
}

// A string in SQL, as an escape string (E'...'): read the same whatever
// standard_conforming_strings is, which a tenant may set for its databases
// (with it off, a plain '...' takes \' as a quote, and a password ending a
// literal early ran the rest as Kura's superuser).
std::string sqlLiteral(const std::string& text) { return "E" + quoteLiteral(text); }

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

// The master user as RDS makes it: a member of rds_superuser, which may
// create databases, roles and the allowed extensions, own and grant
// objects, watch and signal sessions, and set pgaudit's settings; never a
// superuser, so no COPY ... PROGRAM, no server files, no ALTER SYSTEM, no
// untrusted language. PostgreSQL 15 lets a CREATEROLE role grant any
// non-superuser role, the three that reach the server's files and programs
// included, so those three are marked superuser roles in the catalog:
// only a superuser can grant them then, and membership confers no
// superuser rights. It is in the data, so every standby, replica and
// restored snapshot carries it. Idempotent: run at every start of a primary.
std::string rolesStatement(const std::string& masterUser, bool pgaudit, int major) {
  std::string master = quoteIdentifier(masterUser);
  std::string sql =
      "DO $$ BEGIN\n"
      "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_superuser') THEN\n"
      "    CREATE ROLE rds_superuser NOLOGIN;\n"
      "  END IF;\n"
      // IAM database authentication: its members log in by token alone
      // (pg_hba.conf); the master, a CREATEROLE role, grants it.
      "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN\n"
      "    CREATE ROLE rds_iam NOLOGIN;\n"
      "  END IF;\n"
      "END $$;\n"
      "GRANT pg_monitor, pg_signal_backend, pg_read_all_settings, pg_read_all_stats, "
      "pg_stat_scan_tables TO rds_superuser;\n" +
      std::string(major >= 15 ? "GRANT pg_checkpoint TO rds_superuser;\n" : "") +
      "UPDATE pg_authid SET rolsuper = true WHERE rolname IN "
      "('pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program') AND NOT rolsuper;\n"
      // Memberships granted while the master was a superuser (older instances) go.
      "DO $$ DECLARE m record; BEGIN\n"
      "  FOR m IN SELECT r.rolname AS role, u.rolname AS member FROM pg_auth_members a\n"
      "      JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles u ON u.oid = a.member\n"
      "      WHERE r.rolname IN ('pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program') LOOP\n"
      "    EXECUTE format('REVOKE %I FROM %I CASCADE', m.role, m.member);\n"
      "  END LOOP;\n"
      "END $$;\n"
      "ALTER ROLE " + master + " NOSUPERUSER NOREPLICATION NOBYPASSRLS CREATEDB CREATEROLE LOGIN INHERIT;\n"
      "GRANT rds_superuser TO " + master + " WITH ADMIN OPTION;\n";
  if (pgaudit && major >= 15) {  // GRANT SET ON PARAMETER came with PostgreSQL 15
    sql += "GRANT SET ON PARAMETER pgaudit.log, pgaudit.log_catalog, pgaudit.log_client, pgaudit.log_level, "
           "pgaudit.log_parameter, pgaudit.log_relation, pgaudit.log_statement_once, pgaudit.role "
           "TO rds_superuser;\n";
  }
  return sql;
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
                                           std::chrono::seconds timeout, const engines::Confinement& confinement) const {
  // Kura's sessions set their own options (kKuraSessionOptions).
  static const std::vector<std::string> kSessionOptions = {std::string("PGOPTIONS=") + kKuraSessionOptions};
  // A client's only: a server started with them in its environment handed
  // them on to every connection its backends open (a tenant's dblink was
  // refused "permission denied to set parameter session_replication_role").
  bool server = !argv.empty() && (argv[0] == tool("pg_ctl") || argv[0] == tool("postgres"));
  return engines::runProcess(argv, user_, stdinText, timeout, server ? std::vector<std::string>{} : kSessionOptions,
                             confinement);
}

fs::path PostgresEngine::replaySources() const { return dataDir_ / "rds" / kReplaySources; }

engines::Confinement PostgresEngine::confinement(const EngineLayout& layout) const {
  engines::Confinement confined;
  confined.writable = {layout.dir, socketDir(layout), layout.walArchive};
  if (!layout.walOutbox.empty()) confined.writable.push_back(layout.walOutbox);
  if (auto source = readBeneath(replaySources(), replaySourceFile(layout), 0, 4096); source && !source->empty()) {
    confined.readable.push_back(*source);
  }
  confined.listenPorts = {layout.port};
  confined.memoryBytes = layout.memoryBytes;
  confined.memoryGroupOf = layout.dir;
  warnIfUnbounded(layout);
  return confined;
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
  for (const auto& [name, value] : layout.parameters) {
    // rds.force_ssl is pg_hba's (below). A setting Kura owns never comes
    // from a group: one stored before it was refused stays out.
    if (name != kPostgresForceSsl && !kuraOwnsSetting(name)) parameters += name + " = " + quoteLiteral(value) + "\n";
  }
  auto tls = writeServerCertificate(layout, fileOwner());
  if (!tls) return tls;
  std::string settings = parameters + postgresTlsSettings(layout) + fmt::format(
      "# Written by Kura for this instance; do not edit.\n"
      "listen_addresses = '127.0.0.1'\n"
      "port = {}\n"
      "unix_socket_directories = '{}'\n"
      // Dynamic shared memory in files of its own (pgdata/pg_dynshmem), not
      // in /dev/shm, where any server of the engine's user could open it by
      // the name the server's System V segment (which Landlock does not
      // govern) gives away.
      "dynamic_shared_memory_type = mmap\n"
      // Huge pages are not charged to the instance's memory cgroup: its
      // shared buffers would come from the host's pool beyond its bound.
      "huge_pages = off\n"
      "wal_level = replica\n"
      "archive_mode = on\n"
      // Each segment synced before its name appears, and the name synced
      // before PostgreSQL recycles the segment: after a power loss the
      // archive holds whole segments only (a torn one under the final name
      // would fail `test ! -f` for ever and stop archiving). It keeps the
      // time it was last written, at its switch: what it holds is no newer
      // (latestRestorableTime), however late it is archived.
      "archive_command = 'test ! -f {}/%f && cp --preserve=timestamps %p {}/%f.part && sync {}/%f.part && "
      "mv {}/%f.part {}/%f && "
      "sync {}'\n"
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
      layout.port, socketDir(layout).string(), archive, archive, archive, archive, archive, archive,
      // The standby's walreceiver only: never pg_basebackup's stream while a standby is rebuilt.
      layout.synchronousStandby ? "walreceiver" : "",
      postgresLogDir(layout.dir).string(),
      preloadSettings(),
      // A read replica's walreceiver connects under this name (cluster_name
      // is its default application_name), never as a synchronous standby.
      layout.replicaName.empty() ? "" : "cluster_name = " + quoteLiteral(layout.replicaName) + "\n");
  // pgdata belongs to the engine user: nothing in it is followed or trusted.
  // Kura's own files are replaced whole (a link planted in their place goes).
  if (!replaceBeneath(layout.dir, "pgdata/kura.conf", settings, fileOwner()) ||
      !replaceBeneath(layout.dir, "pgdata/pg_hba.conf", hostBasedAuthentication(layout, postgresForcesTls(layout)),
                      fileOwner())) {
    return ApiError::internal("cannot write the settings of " + layout.dir.string() + ": " + std::strerror(errno));
  }
  auto text = readBeneath(layout.dir, "pgdata/postgresql.conf");
  if (!text) return ApiError::internal("cannot read postgresql.conf in " + layout.dir.string());
  if (text->find("include_if_exists = 'kura.conf'") == std::string::npos &&
      !writeBeneath(layout.dir, "pgdata/postgresql.conf", "\ninclude_if_exists = 'kura.conf'\n", WriteMode::Append,
                    fileOwner())) {
    return ApiError::internal("cannot write postgresql.conf in " + layout.dir.string());
  }
  return true;
}

std::optional<FileOwner> PostgresEngine::fileOwner() const {
  if (!user_.drop) return std::nullopt;
  return FileOwner{static_cast<uid_t>(user_.uid), static_cast<gid_t>(user_.gid)};
}

std::optional<uid_t> PostgresEngine::engineUid() const {
  if (!user_.drop) return std::nullopt;
  return static_cast<uid_t>(user_.uid);
}

std::string PostgresEngine::preloadSettings() const {
  // Loaded as RDS loads them: pgaudit (auditing is off until pgaudit.log is
  // set), pg_stat_statements; pgextwlist lets the master user create the
  // allowed extensions. Each only when installed.
  std::string libraries;
  for (const char* library : {"pgaudit", "pg_stat_statements", "pgextwlist"}) {
    if (!fs::exists(fs::path(libDir()) / (std::string(library) + ".so"))) continue;
    libraries += (libraries.empty() ? "" : ",") + std::string(library);
  }
  std::string text = libraries.empty() ? "" : "shared_preload_libraries = '" + libraries + "'\n";
  if (libraries.find("pgextwlist") != std::string::npos) {
    text += "extwlist.extensions = '" + std::string(kAllowedExtensions) + "'\n";
  }
  return text;
}

Result<bool> PostgresEngine::createStandby(const EngineLayout& primary, const EngineLayout& standby) {
  for (const fs::path& dir : {standby.dir, socketDir(standby)}) {
    if (auto made = prepareDir(dir); !made) return made;
  }
  std::error_code ec;
  fs::remove_all(pgdata(standby), ec);
  // Over the primary's own socket (trusted, as every local connection of the
  // engine user); -R leaves standby.signal and primary_conninfo behind.
  // Confined to the standby's directory: a tablespace's link in the
  // primary's pg_tblspc names where a plain backup writes it, and the
  // tenant who owns the primary chose that place.
  auto result = run({tool("pg_basebackup"), "-h", socketDir(primary).string(), "-p", std::to_string(primary.port),
                     "-U", kAdminUser, "-D", pgdata(standby).string(), "-X", "stream", "-c", "fast", "-R",
                     "--no-password"},
                    // As long as a backup of the database: the supervisor copies
                    // off its thread (a primary that hangs is fenced meanwhile,
                    // which ends the copy), and a stop of Kura cuts it short.
                    "", std::chrono::minutes(60), engines::Confinement{.writable = {standby.dir}});
  if (!result.ok()) return engineError("pg_basebackup of the standby failed", result);
  fs::remove(pgdata(standby) / "postmaster.pid", ec);
  return writeSettings(standby);
}

Result<bool> PostgresEngine::follow(const EngineLayout& standby, const EngineLayout& upstream) {
  // primary_conninfo is reloadable: the walreceiver restarts towards the new
  // upstream, and recovery_target_timeline 'latest' follows its promotion.
  std::string conninfo = "host=" + socketDir(upstream).string() + " port=" + std::to_string(upstream.port) +
                         " user=" + std::string(kAdminUser);
  auto changed = sql(standby, "ALTER SYSTEM SET primary_conninfo = " + sqlLiteral(conninfo));
  if (!changed) return changed.error();
  if (auto reloaded = sql(standby, "SELECT pg_reload_conf()"); !reloaded) return reloaded.error();
  return true;
}

std::optional<ReplicaStatus> PostgresEngine::replicaStatus(const EngineLayout& standby) {
  // The lag as RDS's ReplicaLag for PostgreSQL has it: none while it streams
  // and replay has caught up, else the age of the last replayed commit.
  auto row = firstRow(queryTarget(standby),
                      "WITH r AS (SELECT coalesce((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false) s) "
                      "SELECT pg_is_in_recovery(), s, "
                      "CASE WHEN s AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                      "ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END FROM r",
                      kProbeTimeout);
  if (!row || row->size() != 3 || (*row)[0] != "t") return std::nullopt;
  double lag = 0;
  try {
    lag = std::stod((*row)[2]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return ReplicaStatus{(*row)[1] == "t", std::max(0.0, lag)};
}

std::optional<int64_t> PostgresEngine::connections(const EngineLayout& layout) {
  // Client sessions only (not Kura's own, nor walsenders or workers), from
  // the backends' process titles: a psql here, every few seconds for every
  // instance, was most of an idle fleet's cost to Kura.
  std::string pidText = readBeneath(layout.dir, "pgdata/postmaster.pid", 0, 4096).value_or("");
  return countClientSessions(static_cast<pid_t>(std::atol(pidText.c_str())), layout.replicaName, kAdminUser);
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
// The live processes whose working directory is `dir` (from /proc), of
// `owner` when given. `dir` sits in a directory the engine writes: if it is
// a link, nothing is identified by it (a link to / would name every
// process of the host); else a process matches by device and inode.
std::vector<pid_t> processesIn(const fs::path& dir, std::optional<uid_t> owner) {
  std::vector<pid_t> found;
  struct stat wanted {};
  UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  bool present = fd && ::fstat(fd.get(), &wanted) == 0;
  if (!present && errno != ENOENT) return found;
  std::error_code ec;
  // A data directory removed under a running server reads "<dir> (deleted)".
  std::string deleted = (fs::weakly_canonical(dir.parent_path(), ec) / dir.filename()).string() + " (deleted)";
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat process {}, cwd {};
    if (owner && (::stat(entry.path().c_str(), &process) != 0 || process.st_uid != *owner)) continue;
    if (present) {
      if (::stat((entry.path() / "cwd").c_str(), &cwd) != 0 || cwd.st_dev != wanted.st_dev ||
          cwd.st_ino != wanted.st_ino) {
        continue;
      }
    } else {
      std::error_code linkError;
      if (fs::read_symlink(entry.path() / "cwd", linkError).string() != deleted || linkError) continue;
    }
    std::string stat = readFile(entry.path() / "stat");
    size_t close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') continue;  // a zombie
    found.push_back(static_cast<pid_t>(std::atol(name.c_str())));
  }
  return found;
}

// The newest file of pg_wal (segments and their status): its name, time in
// nanoseconds and size as text, and its time; empty when the folder cannot
// be read.
struct WalMark {
  std::string text;
  fs::file_time_type time{};
};

WalMark newestWalMark(const EngineLayout& layout) {
  std::error_code ec;
  WalMark mark;
  std::optional<fs::file_time_type> newest;
  for (const auto& entry : fs::directory_iterator(layout.dir / "pgdata" / "pg_wal", ec)) {
    std::error_code entryError;
    if (!entry.is_regular_file(entryError)) continue;
    auto time = entry.last_write_time(entryError);
    if (entryError || (newest && time <= *newest)) continue;
    newest = time;
    mark = {entry.path().filename().string() + "@" + std::to_string(time.time_since_epoch().count()) + "/" +
                std::to_string(entry.file_size(entryError)),
            time};
  }
  return ec ? WalMark{} : mark;
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
  // The pid file is the engine's to write: its pid is killed only if that
  // process works in this data directory (never another process of the host).
  std::string pidText = readBeneath(layout.dir, "pgdata/postmaster.pid", 0, 4096).value_or("");
  pid_t pid = static_cast<pid_t>(std::atol(pidText.c_str()));
  std::vector<pid_t> inDirectory = processesIn(pgdata(layout), engineUid());
  if (std::find(inDirectory.begin(), inDirectory.end(), pid) == inDirectory.end()) pid = 0;
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
    std::vector<pid_t> left = processesIn(pgdata(layout), engineUid());
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
                       std::to_string(primary.port), "-U", kAdminUser, "-d", "postgres", "-c",
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
                     std::to_string(layout.port), "-U", kAdminUser, "-d", "postgres", "-c",
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
  // PostgreSQL's SSLRequest: the postmaster accepts, forks a backend and
  // that backend answers 'N' or 'S' at once. A hung or dead server does not.
  static constexpr char kSslRequest[8] = {0, 0, 0, 8, 0x04, static_cast<char>(0xd2), 0x16, 0x2f};
  std::string answer = engines::probeTcp(layout.port, std::string_view(kSslRequest, sizeof kSslRequest), 1, timeout);
  return answer == "N" || answer == "S";
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
  auto parameters = parseDescribeConfig(result.output);
  // RDS's own: pg_hba.conf takes TCP clients only over TLS when it is 1.
  parameters.push_back({kPostgresForceSsl, "sighup", "BOOLEAN", "0", "0", "1",
                        "Force SSL connections: TCP clients must use TLS."});
  std::sort(parameters.begin(), parameters.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return parameters;
}

Result<bool> PostgresEngine::checkParameters(const std::map<std::string, std::string>& values) const {
  // A scratch directory holding nothing but the configuration: `postgres -C`
  // parses and checks every value in it, as a start would.
  fs::path scratch = dataDir_ / "rds" / "parameter-check" / toHex(randomBytes(6));
  if (auto made = prepareDir(scratch.parent_path()); !made) return made;
  if (auto made = prepareDir(scratch); !made) return made;
  std::string text;
  for (const auto& [name, value] : values) {
    if (name == kPostgresForceSsl) {
      if (value != "0" && value != "1") {
        return ApiError::sender("InvalidParameterValue", "invalid value for parameter \"rds.force_ssl\": \"" + value +
                                                             "\" HINT: Available values: 0, 1.");
      }
      continue;
    }
    text += name + " = " + quoteLiteral(value) + "\n";
  }
  if (!writeBeneath(scratch, "postgresql.conf", text, WriteMode::Truncate, fileOwner())) {
    return ApiError::internal("cannot write a scratch configuration in " + scratch.string());
  }
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
  // Kura's own role owns the cluster; the master user is made at the first
  // start (ensureRoles), so its password never reaches a file.
  auto result = run({tool("initdb"), "-D", pgdata(layout).string(), "-U", kAdminUser, "--auth-host=scram-sha-256",
                     "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8", "--wal-segsize=1", "--no-instructions"});
  if (!result.ok()) return engineError("initdb failed", result);
  if (auto written = writeSettings(layout); !written) return written;
  if (auto started = start(layout); !started) return started;
  if (auto owned = sql(layout, "ALTER DATABASE postgres OWNER TO " + quoteIdentifier(layout.masterUser)); !owned) {
    return owned.error();
  }
  if (!layout.dbName.empty()) {
    auto created = sql(layout, "CREATE DATABASE " + quoteIdentifier(layout.dbName) + " OWNER " +
                                   quoteIdentifier(layout.masterUser));
    if (!created) return created.error();
  }
  return true;
}

Result<bool> PostgresEngine::ensureRoles(const EngineLayout& layout) {
  if (layout.masterUser == kAdminUser) return ApiError::internal("the master user cannot be Kura's own role");
  auto present = sql(layout, "SELECT 1");
  bool converting = false;
  if (!present) {
    if (present.error().message.find("\"" + std::string(kAdminUser) + "\" does not exist") == std::string::npos) {
      return present.error();
    }
    // An instance made before Kura had its own role: its master user is
    // still the superuser that initdb made, and makes Kura's role.
    auto made = sqlAs(layout, layout.masterUser,
                      "CREATE ROLE " + std::string(kAdminUser) + " SUPERUSER LOGIN REPLICATION");
    if (!made) return made.error();
    converting = true;
  }
  if (converting) {
    if (auto cleared = clearSuperuserLeftovers(layout); !cleared) return cleared;
  }
  auto exists = sql(layout, "SELECT count(*) FROM pg_roles WHERE rolname = " + sqlLiteral(layout.masterUser));
  if (!exists) return exists.error();
  // Never logged, whatever log_statement or pgaudit say: the statement may hold the password.
  std::string quiet = "SET log_statement = 'none';\nSET pgaudit.log = 'none';\n";
  if (*exists == "0") {
    auto created = sql(layout, quiet + "CREATE ROLE " + quoteIdentifier(layout.masterUser) + " LOGIN PASSWORD " +
                                   sqlLiteral(layout.masterPassword));
    if (!created) return ApiError::internal("cannot create the master user");  // never echo the statement
  }
  bool pgaudit = preloadSettings().find("pgaudit") != std::string::npos;
  auto granted = sql(layout, rolesStatement(layout.masterUser, pgaudit, major_));
  if (!granted) return granted.error();
  return true;
}

Result<bool> PostgresEngine::clearSuperuserLeftovers(const EngineLayout& layout) {
  // What a master user that was a superuser could leave behind to act
  // later with a superuser's rights: other superuser roles, server settings
  // of its own (ALTER SYSTEM: an archive_command), libraries loaded into
  // every session, and event triggers that would run in Kura's sessions.
  auto global = sql(layout,
                    "DO $$ DECLARE r record; BEGIN\n"
                    "  FOR r IN SELECT rolname FROM pg_roles WHERE rolsuper AND rolname <> 'rdsadmin' AND rolname NOT IN "
                    "('pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program') LOOP\n"
                    "    EXECUTE format('ALTER ROLE %I NOSUPERUSER', r.rolname);\n"
                    "  END LOOP;\n"
                    "END $$;\n"
                    "ALTER SYSTEM RESET ALL;\n"
                    "UPDATE pg_db_role_setting SET setconfig = ARRAY(SELECT c FROM unnest(setconfig) c WHERE "
                    "c NOT LIKE 'session_preload_libraries=%' AND c NOT LIKE 'local_preload_libraries=%');\n"
                    "SELECT datname FROM pg_database WHERE datallowconn");
  if (!global) return global.error();
  std::istringstream databases(*global);
  for (std::string database; std::getline(databases, database);) {
    if (database.empty()) continue;
    auto dropped = sqlIn(layout, database,
                         "DO $$ DECLARE t record; BEGIN\n"
                         "  FOR t IN SELECT evtname FROM pg_event_trigger LOOP\n"
                         "    EXECUTE format('DROP EVENT TRIGGER %I', t.evtname);\n"
                         "  END LOOP;\n"
                         "END $$");
    if (!dropped) return dropped.error();
  }
  auto reloaded = sql(layout, "SELECT pg_reload_conf()");
  if (!reloaded) return reloaded.error();
  return true;
}

bool PostgresEngine::running(const EngineLayout& layout) {
  // What `pg_ctl status` decides (the pid file's first line names a process
  // that kill(pid, 0) reaches), without starting pg_ctl on every supervisor
  // pass: that was most of an idle fleet's cost to Kura. EPERM: another
  // user's, alive. As with pg_ctl, a killed postmaster not yet reaped still
  // counts: its children, which hold its shared memory, have a moment to go
  // before a new server is started in their place.
  std::string pidText = readBeneath(layout.dir, "pgdata/postmaster.pid", 0, 4096).value_or("");
  pid_t pid = static_cast<pid_t>(std::atol(pidText.c_str()));
  if (pid <= 1) return false;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

InstanceEngine::ServerExecutable PostgresEngine::serverExecutable(const EngineLayout& layout) {
  std::string pidText = readBeneath(layout.dir, "pgdata/postmaster.pid", 0, 4096).value_or("");
  auto pid = static_cast<pid_t>(std::atol(pidText.c_str()));
  // The pid file's process only if it is this instance's postmaster (its
  // working directory is the data directory): a stale file's pid may be
  // anyone's by now.
  std::error_code ec, canonical;
  if (pid <= 1 || fs::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec) !=
                      fs::weakly_canonical(pgdata(layout), canonical) ||
      ec || canonical) {
    return ServerExecutable::kUnknown;
  }
  auto replaced = engines::runsReplacedExecutable(pid, tool("postgres"));
  if (!replaced) return ServerExecutable::kUnknown;
  return *replaced ? ServerExecutable::kReplaced : ServerExecutable::kInstalled;
}

Result<bool> PostgresEngine::start(const EngineLayout& layout) {
  if (!fs::exists(pgdata(layout) / "PG_VERSION")) return ApiError::internal("the instance has no database files");
  if (auto made = prepareDir(socketDir(layout)); !made) return made;
  if (auto made = prepareDir(layout.walArchive); !made) return made;
  if (!layout.walOutbox.empty()) {
    if (auto made = prepareDir(layout.walOutbox); !made) return made;
  }
  if (auto written = writeSettings(layout); !written) return written;
  // True: a server was started; false: one running was adopted.
  bool launched = !running(layout);
  auto ready = [&]() -> Result<bool> {
    if (auto roles = ensureRoles(layout); !roles) return roles;
    // An adopted server reads the pg_hba.conf just written (a Kura that
    // starts again may name another IAM authentication port).
    if (!launched) sql(layout, "SELECT pg_reload_conf()");
    return launched;
  };
  // A server replaying a restore may read the archive it replays from
  // (another instance's, which goes on growing).
  engines::Confinement confined = confinement(layout);
  bool readsSource = !confined.readable.empty();
  auto launch = [&]() -> Result<bool> {
    auto result = run({tool("pg_ctl"), "start", "-D", pgdata(layout).string(), "-l",
                       (layout.dir / "postgresql.log").string(), "-w", "-t", "120", "-s"},
                      "", std::chrono::seconds(150), confined);
    if (result.ok()) return true;
    std::string log = readBeneath(layout.dir, "postgresql.log").value_or("");
    if (log.size() > 800) log = log.substr(log.size() - 800);
    return ApiError::internal("PostgreSQL did not start: " + result.output + " " + log);
  };
  // A point-in-time restore whose archive holds no commit after the moment
  // asked for ends in "recovery ended before configured recovery target was
  // reached" (before pg_ctl's wait ends, or after: the server accepts reads
  // while it replays). Nothing changed between the archive's end and that
  // moment (the API admits only moments the archive reaches), so the
  // archive's end is that moment's state: replayed whole, once.
  bool targetDropped = false;
  LogMark mark = logMark(layout);
  auto retryWithoutTarget = [&]() -> std::optional<Result<bool>> {
    if (targetDropped || !recoveryTargetUnreached(layout, mark) || running(layout)) return std::nullopt;
    targetDropped = true;
    if (auto dropped = dropRecoveryTarget(layout); !dropped) return dropped;
    return launch();
  };
  if (launched) {
    auto started = launch();
    if (!started) {
      auto retried = retryWithoutTarget();
      if (!retried) return started;
      if (!*retried) return *retried;
    }
  }
  // A Multi-AZ standby stays in recovery: it is up once it accepts reads.
  if (fs::exists(pgdata(layout) / "standby.signal")) return launched;
  // A restored instance replays WAL first: it is available once promoted.
  // A point-in-time restore replays the archive up to its moment, which
  // may take as long as the backup that started it (a restore's step, which
  // a stop of Kura cuts short).
  const auto begun = std::chrono::steady_clock::now();
  const auto deadline = begun + std::chrono::minutes(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (toolCutDue()) cutShort();
    auto recovering = sql(layout, "SELECT pg_is_in_recovery()");
    if (!recovering && recovering.error().message.find("\"" + std::string(kAdminUser) + "\" does not exist") !=
                           std::string::npos) {
      // An instance made before Kura had its own role (or restored from its
      // snapshot): asked as its master user, converted once out of recovery.
      recovering = sqlAs(layout, layout.masterUser, "SELECT pg_is_in_recovery()");
    }
    if (recovering && *recovering == "f") {
      if (!readsSource) return ready();
      // Replayed. A running server keeps what it was granted (a Landlock
      // rule is never withdrawn): it starts again without the source's
      // archive, which it would otherwise read as long as it runs.
      std::error_code ec;
      fs::remove(replaySources() / replaySourceFile(layout), ec);
      confined = confinement(layout);
      readsSource = false;
      if (auto stopped = stop(layout); !stopped) return stopped;
      if (auto again = launch(); !again) return again;
      launched = true;
      continue;
    }
    if (!recovering) {
      if (auto retried = retryWithoutTarget(); retried && !*retried) return *retried;
      // A server that died meanwhile (killed, fenced by a failover, or
      // failed) will never answer: not waited for (the bound is an hour).
      if (!running(layout) && !retryWithoutTarget()) {
        std::string log = readBeneath(layout.dir, "postgresql.log").value_or("");
        if (log.size() > 600) log = log.substr(log.size() - 600);
        return ApiError::internal("PostgreSQL stopped before it was ready: " + log);
      }
    }
    // Asked ten times a second at first, then once a second (a psql each).
    bool early = std::chrono::steady_clock::now() - begun < std::chrono::minutes(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(early ? 100 : 1000));
  }
  return ApiError::internal("PostgreSQL is still recovering after 60 minutes");
}

Result<bool> PostgresEngine::stop(const EngineLayout& layout) {
  if (!running(layout)) return true;
  auto result = run({tool("pg_ctl"), "stop", "-D", pgdata(layout).string(), "-m", "fast", "-w", "-t", "60", "-s"},
                    "", std::chrono::seconds(90));
  if (!result.ok() && running(layout)) return engineError("PostgreSQL did not stop", result);
  // Only once pg_ctl saw it stop: a check of the pid file that could not be
  // made (no descriptor free) must not end a running server's processes.
  if (result.ok()) engines::memoryCgroups().remove(layout.dir);
  return true;
}

Result<std::string> PostgresEngine::sql(const EngineLayout& layout, const std::string& statement) const {
  return sqlAs(layout, kAdminUser, statement);
}

Result<std::string> PostgresEngine::sqlAs(const EngineLayout& layout, const std::string& user,
                                          const std::string& statement) const {
  return runSql(layout, user, "postgres", statement);
}

Result<std::string> PostgresEngine::sqlIn(const EngineLayout& layout, const std::string& database,
                                          const std::string& statement) const {
  return runSql(layout, kAdminUser, database, statement);
}

Result<std::string> PostgresEngine::runSql(const EngineLayout& layout, const std::string& user,
                                           const std::string& database, const std::string& statement) const {
  auto result = run({tool("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDir(layout).string(),
                     "-p", std::to_string(layout.port), "-U", user, "-d", database, "-f", "-"},
                    statement + ";\n", std::chrono::seconds(60));
  if (!result.ok()) return engineError("SQL failed", result);
  std::string out = result.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

Result<bool> PostgresEngine::setMasterPassword(const EngineLayout& layout) {
  auto changed = sql(layout, "SET log_statement = 'none';\nSET pgaudit.log = 'none';\nALTER ROLE " +
                                 quoteIdentifier(layout.masterUser) + " PASSWORD " +
                                 sqlLiteral(layout.masterPassword));
  if (!changed) return ApiError::internal("cannot set the master password");  // never echo the statement
  return true;
}

std::optional<std::pair<uint64_t, uint64_t>> PostgresEngine::backupProgress(const EngineLayout& layout) {
  // The walsender of pg_basebackup counts what it streamed against its
  // estimate of the whole (the data files; the WAL fetched after them is
  // not in it, so the copy stays at its total while that streams).
  auto row = sql(layout, "SELECT backup_streamed || ' ' || backup_total FROM pg_stat_progress_basebackup "
                         "WHERE backup_total IS NOT NULL LIMIT 1");
  if (!row || row->empty()) return std::nullopt;
  std::istringstream fields(*row);
  uint64_t done = 0, total = 0;
  if (!(fields >> done >> total) || total == 0) return std::nullopt;
  return std::pair{std::min(done, total), total};
}

Result<BackupResult> PostgresEngine::backup(const EngineLayout& layout, const fs::path& target) {
  std::error_code ec;
  fs::remove_all(target, ec);
  if (auto made = prepareDir(target); !made) return made.error();
  BackupResult backup;
  backup.startTime = std::chrono::system_clock::now();
  auto result = run({tool("pg_basebackup"), "-h", socketDir(layout).string(), "-p", std::to_string(layout.port),
                     "-U", kAdminUser, "-D", (target / "base").string(), "-Ft", "-z", "-X", "fetch", "-c",
                     "fast", "--no-password"},
                    "", std::chrono::minutes(60), engines::Confinement{.writable = {target}});
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
  // What a tenant's files hold goes into the instance's files only.
  // Bounded as the backup that made it is: it takes as long as the data
  // (a 20 GB database's passed two minutes), and a stop cuts it short.
  auto untar = run({"/bin/tar", "-xzf", (backup / "base" / "base.tar.gz").string(), "-C", pgdata(layout).string()}, "",
                   std::chrono::minutes(60),
                   engines::Confinement{.writable = {pgdata(layout)}, .readable = {backup / "base"}});
  if (!untar.ok()) return engineError("cannot unpack the snapshot", untar);
  fs::remove(pgdata(layout) / "postmaster.pid", ec);
  // Kura's own file (std::nullopt: Kura owns it): the server is started
  // with read access to the archive it replays from, until the replay ends.
  fs::remove(replaySources() / replaySourceFile(layout), ec);
  fs::create_directories(replaySources(), ec);
  // (An archive of its own, an Aurora writer's from its cluster's volume,
  // is its server's to read and write already.)
  if (!walArchive.empty() && walArchive != layout.walArchive && !writeBeneath(replaySources(), replaySourceFile(layout),
                                           fs::absolute(walArchive).lexically_normal().string(), WriteMode::Truncate,
                                           std::nullopt)) {
    return ApiError::internal("cannot note the archive a restore replays from beside " + layout.dir.string());
  }
  if (!walArchive.empty()) {
    // The replay reads the archive as it stands now, never a file archived
    // later. The source keeps archiving (a segment a second while it
    // writes), and a replay that ran out before the moment asked for is run
    // again without it (start()): it must then end where the first one did,
    // not in segments archived meanwhile, which hold what came after that
    // moment: the very accident a point-in-time restore undoes.
    // Files only, as they are: a link is not followed, nor listed. Segments
    // from the one the backup starts in (its backup_label names it): the
    // replay asks for no older one, and the list, read at every segment the
    // replay fetches, stays as long as the replay, not the retention period.
    std::string label = readBeneath(layout.dir, "pgdata/backup_label", 0, 4096).value_or("");
    size_t at = label.find("(file ");
    std::string firstSegment = at == std::string::npos ? "" : label.substr(at + 6, 24);
    if (!isSegmentName(firstSegment)) firstSegment.clear();
    std::string files;
    for (fs::directory_iterator it(walArchive, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      std::error_code typeError;
      if (!fs::is_regular_file(it->symlink_status(typeError)) || name.ends_with(".part")) continue;
      if (isSegmentName(name) && name < firstSegment) continue;
      files += name + "\n";
    }
    if (ec) return ApiError::internal("cannot list the WAL archive " + walArchive.string() + ": " + ec.message());
    if (!writeBeneath(layout.dir, kRestoreFileList, files, WriteMode::Truncate, fileOwner())) {
      return ApiError::internal("cannot write the list of WAL files to restore in " + layout.dir.string());
    }
    std::string settings = fmt::format(
        "restore_command = 'grep -qxF -- \"%f\" \"{}\" && cp \"{}/%f\" \"%p\"'\nrecovery_target_action = 'promote'\n",
        (layout.dir / kRestoreFileList).string(), walArchive.string());
    if (until) settings += "recovery_target_time = '" + pgTime(*until) + "'\nrecovery_target_inclusive = true\n";
    if (!writeBeneath(layout.dir, "pgdata/postgresql.auto.conf", settings, WriteMode::Append, fileOwner()) ||
        !writeBeneath(layout.dir, "pgdata/recovery.signal", "", WriteMode::Truncate, fileOwner())) {
      return ApiError::internal("cannot write the recovery settings in " + layout.dir.string());
    }
  }
  return writeSettings(layout);
}

std::optional<SystemTime> PostgresEngine::latestRestorableTime(const EngineLayout& layout) {
  std::optional<fs::file_time_type> newest;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(layout.walArchive, ec)) {
    std::string name = entry.path().filename().string();
    if (!isSegmentName(name)) continue;
    auto time = entry.last_write_time(ec);
    if (!ec && (!newest || time > *newest)) newest = time;
  }
  if (!newest) return std::nullopt;
  // Everything committed before the newest segment was last written (its
  // switch: the archive command keeps that time) is in the archive; less a
  // second, as a commit's time is its statement's start.
  SystemTime archived =
      std::chrono::time_point_cast<SystemTime::duration>(std::chrono::file_clock::to_sys(*newest)) -
      std::chrono::seconds(1);
  // An idle server switches no segment: when all it has written is in the
  // archive, every moment up to now can be restored (RDS's window keeps
  // moving too). Asked of the server only once the archive has been still
  // for a while, so a busy instance costs no query.
  SystemTime now = std::chrono::system_clock::now();
  if (now - archived < std::chrono::seconds(3)) return archived;
  std::string key = layout.dir.string();
  WalMark mark = newestWalMark(layout);
  auto steadyNow = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(archiveMutex_);
    auto known = idleVerdicts_.find(key);
    if (known != idleVerdicts_.end() && !mark.text.empty() && known->second.walMark == mark.text &&
        steadyNow - known->second.at < std::chrono::seconds(10)) {
      return now - std::chrono::seconds(1);
    }
  }
  bool idle = everythingArchived(layout);
  std::lock_guard lock(archiveMutex_);
  // A verdict stands 10 s: older ones (of instances gone since) go.
  std::erase_if(idleVerdicts_,
                [&](const auto& entry) { return steadyNow - entry.second.at >= std::chrono::seconds(10); });
  if (!idle) {
    idleVerdicts_.erase(key);
    return archived;
  }
  // A file's time is the kernel's coarse clock: a record written within
  // the same tick as the newest one (a few milliseconds) leaves its time
  // as it was, and its size too (a segment's size is fixed). A verdict
  // stands only on a mark older than a tick: a commit after the query
  // then changes the mark (git's "racily clean" entries, and their cure).
  if (!mark.text.empty() && std::chrono::file_clock::to_sys(mark.time) < now - kRacyMarkMargin) {
    idleVerdicts_[key] = {mark.text, steadyNow};
  }
  return now - std::chrono::seconds(1);
}

bool PostgresEngine::everythingArchived(const EngineLayout& layout) {
  // A segment still waiting to be sealed (encrypted instances) is not in the archive yet.
  std::error_code ec;
  if (!layout.walOutbox.empty()) {
    for (const auto& entry : fs::directory_iterator(layout.walOutbox, ec)) {
      if (isSegmentName(entry.path().filename().string())) return false;
    }
  }
  // Archived: the segment holding the last record written is in the
  // archive. Just after a switch the position stands at the next segment's
  // start, past its page header (40 bytes), and pg_walfile_name of the
  // segment's start names the one before. left(..., 24): the archiver may
  // last have archived a backup history file ("<segment>.<offset>.backup").
  // With it: whether the archiver last succeeded, and the transaction ids
  // in use (xmin = xmax: none is).
  auto result = firstRow(queryTarget(layout),
                         "WITH w AS (SELECT pg_current_wal_insert_lsn() AS lsn, "
                         "(SELECT setting::numeric FROM pg_settings WHERE name = 'wal_segment_size') AS seg), "
                         "a AS (SELECT left(last_archived_wal, 24) AS archived, last_archived_time, last_failed_time "
                         "FROM pg_stat_archiver), x AS (SELECT pg_current_snapshot() AS s) "
                         "SELECT NOT pg_is_in_recovery() AND coalesce(archived >= pg_walfile_name(CASE WHEN "
                         "(lsn - '0/0') % seg <= 40 THEN lsn - (lsn - '0/0') % seg ELSE lsn END), false), "
                         "coalesce(last_failed_time < last_archived_time, last_failed_time IS NULL), "
                         "pg_snapshot_xmin(s), pg_snapshot_xmax(s) FROM w, a, x",
                         kProbeTimeout);
  if (!result || result->size() != 4) return false;
  const std::vector<std::string>& fields = *result;
  const bool archived = fields[0] == "t", archiverOk = fields[1] == "t", noneInUse = fields[2] == fields[3];
  const std::string& nextXid = fields[3];
  std::string key = layout.dir.string();
  std::lock_guard lock(archiveMutex_);
  if (archived) {
    // Everything is in the archive: remember the next transaction id, so
    // that later records which are no transaction's (below) are known as such.
    if (noneInUse) quietAt_[key] = nextXid;
    else quietAt_.erase(key);
    return true;
  }
  // A commit needs a transaction id: none taken since everything was
  // archived means what is left unarchived commits nothing (the running
  // transactions the background writer logs some seconds after the last
  // write, which archive_timeout does not switch for).
  auto quiet = quietAt_.find(key);
  if (quiet != quietAt_.end()) return noneInUse && quiet->second == nextXid;
  // Not known (Kura started since): one switch archives it, once, never
  // while the archiver is failing (segments would pile up).
  if (archiverOk && switchedOnce_.insert(key).second &&
      !firstRow(queryTarget(layout), "SELECT pg_switch_wal()", kProbeTimeout)) {
    switchedOnce_.erase(key);  // not switched: tried again at the next look
  }
  return false;
}

PostgresEngine::LogMark PostgresEngine::logMark(const EngineLayout& layout) const {
  LogMark mark;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(postgresLogDir(layout.dir), ec)) {
    mark.file = std::max(mark.file, entry.path().filename().string());
  }
  if (!mark.file.empty()) {
    auto info = statBeneath(layout.dir, fs::path("log") / mark.file);
    mark.size = info ? static_cast<uint64_t>(info->st_size) : 0;
  }
  return mark;
}

bool PostgresEngine::recoveryTargetUnreached(const EngineLayout& layout, const LogMark& since) const {
  // The server's own words, written to its log since `since` (never an
  // earlier attempt's: that would replay a restore past its target).
  LogMark now = logMark(layout);
  if (now.file.empty()) return false;
  uint64_t from = now.file == since.file ? since.size : 0;
  if (now.size > from + (1u << 20)) from = now.size - (1u << 20);
  auto text = readBeneath(layout.dir, fs::path("log") / now.file, from, 1u << 20);
  return text && text->find("recovery ended before configured recovery target was reached") != std::string::npos;
}

Result<bool> PostgresEngine::dropRecoveryTarget(const EngineLayout& layout) const {
  auto text = readBeneath(layout.dir, "pgdata/postgresql.auto.conf");
  if (!text) return ApiError::internal("cannot read postgresql.auto.conf in " + layout.dir.string());
  std::string kept;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("recovery_target_time", 0) == 0 || line.rfind("recovery_target_inclusive", 0) == 0) continue;
    kept += line + "\n";
  }
  if (!writeBeneath(layout.dir, "pgdata/postgresql.auto.conf", kept, WriteMode::Truncate, fileOwner())) {
    return ApiError::internal("cannot write postgresql.auto.conf in " + layout.dir.string());
  }
  return true;
}

Result<bool> PostgresEngine::share(const EngineLayout&, const fs::path& dir) {
  auto given = engines::giveTree(dir, user_);
  if (!given.ok) return ApiError::internal(given.error);
  return true;
}

Result<bool> PostgresEngine::destroy(const EngineLayout& layout) {
  {
    // What was remembered of the instance's archive goes with it.
    std::lock_guard lock(archiveMutex_);
    idleVerdicts_.erase(layout.dir.string());
    quietAt_.erase(layout.dir.string());
    switchedOnce_.erase(layout.dir.string());
  }
  std::error_code ec;
  fs::remove_all(socketDir(layout), ec);  // when it is a short one outside (a no-op otherwise)
  fs::remove(replaySources() / replaySourceFile(layout), ec);
  fs::remove_all(layout.dir, ec);
  engines::memoryCgroups().remove(layout.dir);
  if (ec) return ApiError::internal("cannot remove " + layout.dir.string() + ": " + ec.message());
  return true;
}

}  // namespace kura::rds
