// MariaDB's part of Multi-AZ, read replicas and Aurora readers: a standby
// (or replica) is a copy of its upstream made with mariadb-backup, then
// replicating from it by GTID over 127.0.0.1 as `rdsrepladmin` (an account
// with REPLICATION SLAVE only, whose password derives from a key of Kura's).
//
// No acknowledged commit is lost in a failover: the primary of a Multi-AZ
// instance (the writer of a cluster, while a reader streams) runs
// semi-synchronous replication with the lossless wait point (AFTER_SYNC),
// no timeout to fall back to asynchronous commits, and only a standby (never
// a read replica) acknowledges. A promotion first applies everything the
// standby received, then ends replication and opens it for writes.
//
// Every server writes its binary log with log_slave_updates and GTIDs in
// strict mode: a promoted standby serves its replicas and the archive from
// where its old primary stopped. A replica writes nothing of its own to
// its binary log (Kura never changes it but through replication), so that
// its GTIDs stay its upstream's.
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <sstream>
#include <thread>

#include "common/crypto.h"
#include "common/key_file.h"
#include "common/server_certificate.h"
#include "engines/engine_process.h"
#include "rds/mariadb_engine.h"
#include "rds/mariadb_files.h"

namespace kura::rds {

namespace fs = std::filesystem;
using namespace mariadb;

namespace {

constexpr const char* kReplicationUser = "rdsrepladmin";
// Names a standby in its primary's SHOW SLAVE HOSTS (a read replica goes by
// its own name there).
constexpr const char* kStandbyName = "kura-standby";
// Written into a standby's (or replica's) directory when it is made: the
// port it replicates from and the GTID its copy ends at.
constexpr const char* kUpstreamFile = "kura-upstream";
// The base name of the server's binary log files when not "mysql-bin": a
// standby's (or reader's) own generation, written when it is made (see
// isBinlogName in mariadb_engine.cpp).
constexpr const char* kBinlogBaseFile = "kura-binlog-base";
// REPLICATION SLAVE in mysql.global_priv's "access" bits.
constexpr uint64_t kReplicationSlaveAccess = 1ULL << 19;

bool isGtidList(const std::string& text) { return text.find_first_not_of("0123456789-,") == std::string::npos; }

// Replication over TLS, the upstream's certificate checked against Kura's
// CA (the bundle in the replica's own directory) and for 127.0.0.1, the
// address it connects to: a process that took the upstream's port would
// not be followed.
std::string verifiedTls(const EngineLayout& replica) {
  return "MASTER_SSL = 1, MASTER_SSL_CA = " + quoteLiteral((replica.dir / kCaBundleFile).string()) +
         ", MASTER_SSL_VERIFY_SERVER_CERT = 1";
}

}  // namespace

std::string MariaDbEngine::replicationPassword() const {
  auto key = readOrCreateKeyFile(dataDir_ / "keys" / "mariadb-replication.key");
  if (!key) return "";
  return toHex(hmacSha256(*key, kReplicationUser));
}

bool MariaDbEngine::isReplica(const EngineLayout& layout) const {
  return statBeneath(layout.dir, kUpstreamFile).has_value();
}

MariaDbEngine::Upstream MariaDbEngine::readUpstream(const EngineLayout& layout) const {
  // "<port> <gtid>": Kura's file, in a directory the engine writes (read beneath it, bounded).
  std::istringstream fields(readBeneath(layout.dir, kUpstreamFile, 0, 4096).value_or(""));
  Upstream upstream;
  fields >> upstream.port >> upstream.gtid;
  if (upstream.port <= 0 || upstream.port > 65535 || !isGtidList(upstream.gtid)) return {};
  return upstream;
}

Result<bool> MariaDbEngine::writeUpstream(const EngineLayout& layout, const Upstream& upstream) const {
  if (!writeBeneath(layout.dir, kUpstreamFile, std::to_string(upstream.port) + " " + upstream.gtid + "\n",
                    WriteMode::Truncate, fileOwner())) {
    return ApiError::internal("cannot write the upstream of " + layout.dir.string());
  }
  return true;
}

Result<bool> MariaDbEngine::forgetUpstream(const EngineLayout& layout) const {
  if (::unlinkat(AT_FDCWD, (layout.dir / kUpstreamFile).c_str(), 0) != 0 && errno != ENOENT) {
    return ApiError::internal("cannot end the replication of " + layout.dir.string());
  }
  return true;
}

bool MariaDbEngine::waitsForStandby(const EngineLayout& layout) const {
  // Never a replica's: its applier would wait for an acknowledgement that
  // no one downstream gives (an old writer rebuilt as a reader keeps the
  // record of its synchronous readers until the supervisor clears it).
  return layout.synchronousStandby && !isReplica(layout);
}

std::string MariaDbEngine::binlogBase(const EngineLayout& layout) const {
  std::string base = readBeneath(layout.dir, kBinlogBaseFile, 0, 64).value_or("");
  while (!base.empty() && base.back() == '\n') base.pop_back();
  bool valid = base.size() == 20 && base.rfind("gen", 0) == 0 && base.substr(16) == "-bin" &&
               base.substr(3, 13).find_first_not_of("0123456789") == std::string::npos;
  return valid ? base : "mysql-bin";
}

std::string MariaDbEngine::replicationSettings(const EngineLayout& layout) const {
  // server_id: the node's port, unique on this host among the servers that
  // replicate from one another.
  std::string settings = fmt::format(
      "server_id = {}\n"
      "gtid_domain_id = 0\n"
      "gtid_strict_mode = ON\n"
      "log_slave_updates = ON\n"
      "rpl_semi_sync_master_enabled = {}\n"
      "rpl_semi_sync_master_wait_point = AFTER_SYNC\n"
      "rpl_semi_sync_master_wait_no_slave = ON\n"
      // Never falls back to asynchronous commits (a commit waits until a
      // standby has it, or until the failover that fences this server).
      "rpl_semi_sync_master_timeout = 4294967295\n",
      layout.port, waitsForStandby(layout) ? "ON" : "OFF");
  if (isReplica(layout)) {
    settings += fmt::format(
        "read_only = ON\n"
        "report_host = {}\n"
        "rpl_semi_sync_slave_enabled = {}\n"
        "relay_log = {}\n"
        "slave_net_timeout = 5\n",
        quoteOption(layout.replicaName.empty() ? kStandbyName : layout.replicaName),
        layout.replicaName.empty() ? "ON" : "OFF", (layout.dir / "binlog" / "relay-bin").string());
  }
  return settings;
}

std::string MariaDbEngine::replicationAccountInit() const {
  // SHA1(SHA1(password)), as mysql_native_password keeps it.
  std::string password = replicationPassword();
  if (password.empty()) return "";
  std::string hash = "*" + toHex(sha1(sha1(password)));
  for (char& c : hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format(
      "REPLACE INTO mysql.global_priv (Host, User, Priv) VALUES ('127.0.0.1', '{}', "
      "'{{\"access\":{},\"plugin\":\"mysql_native_password\",\"authentication_string\":\"{}\"}}');\n",
      kReplicationUser, kReplicationSlaveAccess, hash);
}

Result<bool> MariaDbEngine::ensureReplicationAccount(const EngineLayout& upstream) {
  // As init.sql has it at every start: the master user (CREATE USER) may
  // have dropped or changed it since. Not logged: each server has its own.
  auto ensured = sql(upstream, "SET SESSION sql_log_bin = 0;\nSET SESSION sql_log_off = 1;\n" +
                                   replicationAccountInit() + "FLUSH PRIVILEGES");
  if (!ensured) return ApiError::internal("cannot set up the replication account");  // never echo the statement
  return true;
}

Result<bool> MariaDbEngine::createStandby(const EngineLayout& primary, const EngineLayout& standby) {
  if (auto made = prepareDirs(standby); !made) return made;
  if (auto stopped = stop(standby); !stopped) return stopped;
  // An old primary made a standby: its last binary log files first.
  if (auto archived = archiveTail(standby); !archived) return archived;
  if (auto ensured = ensureReplicationAccount(primary); !ensured) return ensured;
  std::error_code ec;
  fs::remove_all(dataOf(standby), ec);
  for (const char* dir : {"binlog", "log"}) {
    for (const auto& entry : fs::directory_iterator(standby.dir / dir, ec)) fs::remove_all(entry.path(), ec);
  }
  if (auto forgotten = forgetUpstream(standby); !forgotten) return forgotten;
  // A generation of its own for its binary log: should it become the
  // primary, its files never take the names of its predecessors' in the archive.
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  if (!writeBeneath(standby.dir, kBinlogBaseFile, fmt::format("gen{:013d}-bin\n", now.count()), WriteMode::Truncate,
                    fileOwner())) {
    return ApiError::internal("cannot name the standby's binary log");
  }
  auto copied = run({"/usr/bin/mariadb-backup", "--defaults-file=" + configOf(primary).string(), "--backup",
                     "--target-dir=" + dataOf(standby).string(), "--socket=" + socketOf(primary).string(),
                     "--user=" + adminUser()},
                    // As long as a backup of the database (off the supervisor's
                    // thread; a stop of Kura cuts it short).
                    "", std::chrono::minutes(60));
  if (!copied.ok()) return engineError("mariadb-backup of the standby failed", copied);
  auto prepared = run({"/usr/bin/mariadb-backup", "--no-defaults", "--prepare", "--target-dir=" + dataOf(standby).string()},
                      "", std::chrono::minutes(60));
  if (!prepared.ok()) return engineError("mariadb-backup --prepare of the standby failed", prepared);
  // Where the copy ends: "mysql-bin.000003\t1234\t0-1-56" (no GTID yet on a new server).
  std::string info = readBeneath(standby.dir, "data/xtrabackup_binlog_info", 0, 4096).value_or("");
  std::istringstream fields(info);
  std::string file, position, gtid;
  fields >> file >> position >> gtid;
  if (!isGtidList(gtid)) return ApiError::internal("the standby's copy ends at no GTID: " + info.substr(0, 200));
  if (auto written = writeUpstream(standby, {primary.port, gtid}); !written) return written;
  if (!writeBeneath(standby.dir, "kura-created", "", WriteMode::Truncate, fileOwner())) {
    return ApiError::internal("cannot mark " + standby.dir.string() + " made");
  }
  return writeSettings(standby);
}

Result<bool> MariaDbEngine::startReplication(const EngineLayout& layout) {
  auto status = slaveStatus(layout);
  if (!status) return ApiError::internal("the replica does not answer");
  if (!status->empty()) return true;  // configured: it replicates since its start
  Upstream upstream = readUpstream(layout);
  if (upstream.port == 0) return ApiError::internal("the replica's upstream is unknown");
  std::string password = replicationPassword();
  if (password.empty()) return ApiError::internal("no replication key");
  // Never in the general log: the statement holds the password.
  auto started = sql(layout, fmt::format("SET SESSION sql_log_off = 1;\n"
                                         "SET GLOBAL gtid_slave_pos = {};\n"
                                         "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = {}, "
                                         "MASTER_USER = '{}', MASTER_PASSWORD = {}, MASTER_USE_GTID = slave_pos, "
                                         "MASTER_CONNECT_RETRY = 1, MASTER_HEARTBEAT_PERIOD = 1, {};\n"
                                         "START SLAVE",
                                         quoteLiteral(upstream.gtid), upstream.port, kReplicationUser,
                                         quoteLiteral(password), verifiedTls(layout)));
  if (!started) return ApiError::internal("cannot start replication");  // never echo the statement
  return true;
}

Result<bool> MariaDbEngine::follow(const EngineLayout& standby, const EngineLayout& upstream) {
  // The GTID its copy ended at stays (it starts from it if it never ran).
  if (auto written = writeUpstream(standby, {upstream.port, readUpstream(standby).gtid}); !written) return written;
  if (auto ensured = ensureReplicationAccount(upstream); !ensured) return ensured;
  if (!running(standby)) return true;  // configured at its next start
  // By GTID: it asks the new upstream for what follows what it applied.
  auto changed = sql(standby, fmt::format("STOP SLAVE;\nCHANGE MASTER TO MASTER_PORT = {}, MASTER_USE_GTID = "
                                          "slave_pos, {};\nSTART SLAVE",
                                          upstream.port, verifiedTls(standby)));
  if (!changed) return changed.error();
  return true;
}

std::optional<std::map<std::string, std::string>> MariaDbEngine::slaveStatus(const EngineLayout& layout) const {
  // Vertical output: "   Slave_IO_Running: Yes" a line; nothing when the
  // server replicates from no one.
  auto result = run({kClient, "--no-defaults", "--protocol=socket", "--socket=" + socketOf(layout).string(),
                     "--user=" + adminUser(), "--vertical", "--raw"},
                    "SHOW SLAVE STATUS;\n", std::chrono::seconds(3));
  if (!result.ok()) return std::nullopt;
  std::map<std::string, std::string> fields;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    size_t colon = line.find(": ");
    if (colon == std::string::npos || line.rfind("***", 0) == 0) continue;
    size_t begin = line.find_first_not_of(' ');
    fields[line.substr(begin, colon - begin)] = line.substr(colon + 2);
  }
  return fields;
}

std::optional<ReplicaStatus> MariaDbEngine::replicaStatus(const EngineLayout& standby) {
  auto status = slaveStatus(standby);
  if (!status || status->empty()) return std::nullopt;
  ReplicaStatus out;
  out.streaming = (*status)["Slave_IO_Running"] == "Yes" && (*status)["Slave_SQL_Running"] == "Yes";
  try {
    out.lagSeconds = std::stod((*status)["Seconds_Behind_Master"]);
  } catch (const std::exception&) {
    out.lagSeconds = 0;  // NULL: not replicating (streaming says so)
  }
  return out;
}

Result<bool> MariaDbEngine::promote(const EngineLayout& layout) {
  if (!isReplica(layout)) return true;  // a primary already
  // Whatever it received is applied first: a commit its old primary had
  // acknowledged is in its relay log, if not applied yet.
  auto stopped = sql(layout, "STOP SLAVE IO_THREAD", std::chrono::seconds(30));
  if (!stopped) return stopped.error();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    auto status = slaveStatus(layout);
    if (!status) return ApiError::internal("the standby does not answer");
    if (status->empty()) break;
    if ((*status)["Slave_SQL_Running"] != "Yes") {
      // The error's number only: its text quotes the tenant's statement,
      // which may hold a password (an ALTER USER), into Kura's log and events.
      if (!(*status)["Last_SQL_Error"].empty()) {
        return ApiError::internal("the standby cannot apply what it received (error " +
                                  (*status)["Last_SQL_Errno"].substr(0, 10) + ")");
      }
      if (auto restarted = sql(layout, "START SLAVE SQL_THREAD"); !restarted) return restarted.error();
    } else {
      // Applied as far as received, by GTID (binary log coordinates can
      // differ while both are caught up: heartbeats move only the read one).
      auto applied = sql(layout, "SELECT @@gtid_slave_pos", std::chrono::seconds(5));
      if (!applied) return applied.error();
      if (gtidSequence(*applied) >= gtidSequence((*status)["Gtid_IO_Pos"])) break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return ApiError::internal("the standby did not apply what it received within 120 s (received " +
                                (*status)["Gtid_IO_Pos"] + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Its binary log is followed into the archive afresh (see archiveBinlogs).
  {
    std::lock_guard lock(archiveMutex_);
    archiveProgress_.erase(layout.dir);
  }
  // Its generation's place in the archive's history: from here on, what it
  // logs is the instance's (see MariaDbEngine::replay). Written before it
  // takes a write, again if this is taken again.
  auto had = sql(layout, "SELECT @@gtid_slave_pos, @@gtid_binlog_pos", std::chrono::seconds(5));
  if (!had) return had.error();
  std::istringstream positions(*had);
  std::string applied, logged;
  positions >> applied >> logged;
  uint64_t sequence = std::max(gtidSequence(applied), gtidSequence(logged));
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  const fs::path& into = layout.walOutbox.empty() ? layout.walArchive : layout.walOutbox;
  if (auto made = prepareDir(into); !made) return made;
  if (!replaceBeneath(into, binlogBase(layout) + ".promoted", fmt::format("{} {}\n", sequence, now.count()),
                      fileOwner())) {
    return ApiError::internal("cannot record the promotion in the binary log archive");
  }
  auto opened = sql(layout, "STOP SLAVE;\nRESET SLAVE ALL;\nSET GLOBAL rpl_semi_sync_slave_enabled = OFF;\n"
                            "SET GLOBAL read_only = OFF");
  if (!opened) return opened.error();
  if (auto forgotten = forgetUpstream(layout); !forgotten) return forgotten;
  if (auto written = writeSettings(layout); !written) return written;
  return ensureMaster(layout);
}

bool MariaDbEngine::synchronousStandbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) {
  // Only standbys acknowledge (replicas run no semi-synchronous slave).
  return engines::waitUntil(
      [&] {
        auto status = sql(primary,
                          "SELECT CONCAT(MAX(IF(VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_STATUS', VARIABLE_VALUE, '')), ' ', "
                          "MAX(IF(VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_CLIENTS', VARIABLE_VALUE, ''))) "
                          "FROM information_schema.GLOBAL_STATUS",
                          std::chrono::seconds(3));
        if (!status) return false;
        std::istringstream fields(*status);
        std::string on;
        int clients = 0;
        return static_cast<bool>(fields >> on >> clients) && on == "ON" && clients > 0;
      },
      timeout);
}

bool MariaDbEngine::standbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) {
  // The standby registers with its report_host (a read replica with its own name).
  return engines::waitUntil(
      [&] {
        auto hosts = sql(primary, "SHOW SLAVE HOSTS", std::chrono::seconds(3));
        if (!hosts) return false;
        std::istringstream rows(*hosts);
        for (std::string row; std::getline(rows, row);) {
          std::istringstream fields(row);
          std::string id, host;
          if (fields >> id >> host && host == kStandbyName) return true;
        }
        return false;
      },
      timeout);
}

std::optional<uint64_t> MariaDbEngine::walPosition(const EngineLayout& layout) {
  // The sequence number of the newest transaction it has: a replica's
  // received one (its relay log is applied at promotion), a primary's
  // logged one. Strict GTIDs keep it growing across failovers.
  auto status = slaveStatus(layout);
  if (!status) return std::nullopt;
  auto logged = sql(layout, "SELECT @@gtid_binlog_pos", std::chrono::seconds(3));
  if (!logged) return std::nullopt;
  uint64_t position = gtidSequence(*logged);
  if (!status->empty()) position = std::max(position, gtidSequence((*status)["Gtid_IO_Pos"]));
  return position;
}

}  // namespace kura::rds
