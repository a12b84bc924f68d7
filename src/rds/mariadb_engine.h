#pragma once
// The MariaDB engine behind RDS instances of the engines `mysql` and
// `mariadb`, with the installed server (/usr/sbin/mariadbd, Debian's
// mariadb-server), spoken to over the MySQL protocol:
//  - files: <instance>/data (mariadb-install-db), settings Kura owns in
//    <instance>/kura.cnf, the binary log in <instance>/binlog, the error log
//    in <instance>/log;
//  - accounts: Kura's own (named after the user the engine runs as, reached
//    by unix_socket authentication over the instance's socket only) and the
//    master user with what RDS gives a MySQL master, never SUPER, FILE,
//    SHUTDOWN nor RELOAD (see kMasterPrivileges); an init file that the
//    server runs at every start, before it takes a connection, puts both
//    back as they must be whatever was written to the grant tables;
//  - the server: started daemonized with a pid file (a later Kura adopts
//    it), on 127.0.0.1 and the instance's port, no file import or export
//    (secure_file_priv is an empty directory, local_infile off), no plugin
//    to load but the audit plugin, loaded for good (plugin_dir holds a copy
//    of it alone; mariadb_logs.h, with the general and slow query logs);
//  - backups: mariadb-backup --backup then --prepare, plus the shared
//    manifest of sha256 sums that every restore checks first;
//  - point in time: each closed binary log file is copied into the
//    instance's archive (the supervisor asks for the restorable time every
//    other second: a log written to since its last rotation is rotated, at
//    most every 3 s, and copied), and a restore replays the archive from
//    the backup's binary log position to the second asked for.
//  - standbys, read replicas and Aurora readers: see mariadb_replication.cpp.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/confined_file.h"
#include "engines/engine_process.h"
#include "rds/instance_engine.h"
#include "services/rds/engine_parameter.h"

namespace kura::rds {

class MariaDbEngine final : public InstanceEngine {
 public:
  // `dataDir`: Kura's data directory (as for PostgresEngine).
  MariaDbEngine(std::string version, engines::EngineUser user, std::filesystem::path dataDir);
  // The installed server's version ("10.11.19"); empty when none is installed.
  static std::string installedVersion();

  Result<bool> create(const EngineLayout& layout) override;
  Result<bool> start(const EngineLayout& layout) override;
  Result<bool> stop(const EngineLayout& layout) override;
  bool running(const EngineLayout& layout) override;
  Result<bool> setMasterPassword(const EngineLayout& layout) override;
  Result<bool> reload(const EngineLayout& layout) override;
  Result<BackupResult> backup(const EngineLayout& layout, const std::filesystem::path& target) override;
  Result<bool> restore(const std::filesystem::path& backup, const EngineLayout& layout,
                       std::optional<SystemTime> until, const std::filesystem::path& walArchive) override;
  std::optional<SystemTime> latestRestorableTime(const EngineLayout& layout) override;
  Result<bool> createStandby(const EngineLayout& primary, const EngineLayout& standby) override;
  Result<bool> follow(const EngineLayout& standby, const EngineLayout& upstream) override;
  std::optional<ReplicaStatus> replicaStatus(const EngineLayout& standby) override;
  Result<bool> promote(const EngineLayout& layout) override;
  Result<bool> fence(const EngineLayout& layout) override;
  bool healthy(const EngineLayout& layout, std::chrono::milliseconds timeout) override;
  bool synchronousStandbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) override;
  bool standbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) override;
  std::optional<uint64_t> walPosition(const EngineLayout& layout) override;
  std::optional<int64_t> connections(const EngineLayout& layout) override;
  Result<bool> destroy(const EngineLayout& layout) override;
  ServerExecutable serverExecutable(const EngineLayout& layout) override;
  Result<bool> share(const EngineLayout& layout, const std::filesystem::path& dir) override;

  // The settings a DB parameter group of the MySQL families may set.
  static std::vector<EngineParameter> describeParameters();
  // Has the server itself read `values` (mariadbd --help parses and checks them).
  Result<bool> checkParameters(const std::map<std::string, std::string>& values) const;

 private:
  engines::ProcessResult run(const std::vector<std::string>& argv, const std::string& stdinText = "",
                             std::chrono::seconds timeout = std::chrono::seconds(120),
                             const engines::Confinement& confinement = {}) const;
  Result<bool> prepareDir(const std::filesystem::path& dir) const;
  Result<bool> prepareDirs(const EngineLayout& layout) const;
  engines::Confinement serverConfinement(const EngineLayout& layout) const;
  Result<bool> writeSettings(const EngineLayout& layout) const;
  // A new instance's data directory: a copy of the server's files as made
  // by mariadb-install-db, with the named time zones loaded.
  Result<bool> copyTemplate(const EngineLayout& layout);
  std::optional<FileOwner> fileOwner() const;
  // Kura's account in every instance: the name of the user its tools run as.
  std::string adminUser() const;
  // The server's pid when it runs on this instance's files, else 0.
  int serverPid(const EngineLayout& layout) const;
  // The master user exists with what RDS gives it.
  Result<bool> ensureMaster(const EngineLayout& layout);
  // Copies the closed binary log files not archived yet (rotating a log
  // written to since its last rotation); the newest moment archived.
  std::optional<SystemTime> archiveBinlogs(const EngineLayout& layout);
  // Copies the binary log files not archived yet into the archive (or the
  // outbox of an encrypted instance), the one written to only when
  // `withActive`; the newest file's name (none when none could be copied).
  std::optional<std::string> copyBinlogs(const EngineLayout& layout, bool withActive);
  // Archives what a stopped old primary logged last (see the definition).
  Result<bool> archiveTail(const EngineLayout& layout);
  // Replays `archive` from the backup's binary log position on the running server.
  Result<bool> replay(const EngineLayout& layout, const std::filesystem::path& archive,
                      std::optional<SystemTime> until);
  // Replication (mariadb_replication.cpp). The server replicates from an
  // upstream (a standby, read replica or cluster reader).
  bool isReplica(const EngineLayout& layout) const;
  // What a replica replicates from: its upstream's port and the GTID its
  // copy ended at (port 0: none, or unreadable).
  struct Upstream {
    int port = 0;
    std::string gtid;
  };
  Upstream readUpstream(const EngineLayout& layout) const;
  Result<bool> writeUpstream(const EngineLayout& layout, const Upstream& upstream) const;
  Result<bool> forgetUpstream(const EngineLayout& layout) const;
  // Commits wait for a standby's acknowledgement (semi-synchronous replication).
  bool waitsForStandby(const EngineLayout& layout) const;
  // kura.cnf's lines for replication, and init.sql's for its account.
  std::string replicationSettings(const EngineLayout& layout) const;
  std::string replicationAccountInit() const;
  std::string replicationPassword() const;
  // The base name of its binary log files ("mysql-bin", or a standby's "gen<ms>-bin").
  std::string binlogBase(const EngineLayout& layout) const;
  // The replication account on a server replicas connect to, as it must be.
  Result<bool> ensureReplicationAccount(const EngineLayout& upstream);
  // A new replica's first start: replicates from its upstream from where its copy ends.
  Result<bool> startReplication(const EngineLayout& layout);
  // SHOW SLAVE STATUS (empty when it replicates from no one; none when it does not answer).
  std::optional<std::map<std::string, std::string>> slaveStatus(const EngineLayout& layout) const;
  // As Kura's account, over the instance's socket.
  Result<std::string> sql(const EngineLayout& layout, const std::string& statement,
                          std::chrono::seconds timeout = std::chrono::seconds(60)) const;

  std::string version_;
  engines::EngineUser user_;
  std::filesystem::path dataDir_;
  std::mutex archiveMutex_;
  // How far each instance's binary log is archived (see archiveBinlogs).
  struct ArchiveProgress {
    std::chrono::steady_clock::time_point rotatedAt;  // the last FLUSH BINARY LOGS tried
    std::optional<std::string> loggedAtRotation;  // @@gtid_binlog_pos just before the last one archived
    SystemTime rotationStarted;    // when that one began
    std::string quietActive;       // the active file last found to hold nothing logged since: "<name> <ino> <size>"
    std::optional<SystemTime> restorable;  // the newest moment last found archived
  };
  std::map<std::filesystem::path, ArchiveProgress> archiveProgress_;  // by instance dir
  // What reload() last applied to each instance's server (its pid, the statements).
  std::mutex appliedMutex_;
  std::map<std::filesystem::path, std::pair<int, std::string>> applied_;
};

}  // namespace kura::rds
