#pragma once
// The PostgreSQL engine behind RDS instances, with the installed server
// (/usr/lib/postgresql/<major>/bin):
//  - files: <instance>/pgdata (initdb, scram-sha-256 over TCP on 127.0.0.1,
//    trust on the instance's own Unix socket, which only the engine user can
//    reach), settings Kura owns in pgdata/kura.conf;
//  - continuous archiving: archive_command copies each finished WAL
//    segment (1 MiB segments, archive_timeout 1 s) into the archive (synced
//    before it is renamed into place, the folder after), so the restorable
//    time trails now by a second or two under writes;
//  - backups: pg_basebackup (tar, gzip, WAL fetched into it) plus a
//    manifest of sha256 sums that every restore checks first;
//  - point in time: recovery.signal, restore_command from the source's
//    archive, recovery_target_time, then promotion.
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "common/confined_file.h"
#include "engines/engine_process.h"
#include "rds/instance_engine.h"
#include "services/rds/engine_parameter.h"

namespace kura::rds {

class PostgresEngine final : public InstanceEngine {
 public:
  // `major`: the installed major version to run (see installedPostgresMajor);
  // `dataDir`: Kura's data directory, which (with what is below it) Kura
  // makes traversable for the engine user; directories above it must
  // already be (chmod o+x), or creation fails saying so.
  PostgresEngine(int major, engines::EngineUser user, std::filesystem::path dataDir);

  Result<bool> create(const EngineLayout& layout) override;
  Result<bool> start(const EngineLayout& layout) override;
  Result<bool> stop(const EngineLayout& layout) override;
  bool running(const EngineLayout& layout) override;
  Result<bool> setMasterPassword(const EngineLayout& layout) override;
  Result<bool> reload(const EngineLayout& layout) override;
  Result<bool> createStandby(const EngineLayout& primary, const EngineLayout& standby) override;
  Result<bool> follow(const EngineLayout& standby, const EngineLayout& upstream) override;
  std::optional<ReplicaStatus> replicaStatus(const EngineLayout& standby) override;
  std::optional<int64_t> connections(const EngineLayout& layout) override;
  Result<bool> promote(const EngineLayout& layout) override;
  Result<bool> fence(const EngineLayout& layout) override;
  bool healthy(const EngineLayout& layout, std::chrono::milliseconds timeout) override;
  bool synchronousStandbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) override;
  bool standbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) override;
  // The settings the installed server has (postgres --describe-config).
  std::vector<EngineParameter> describeParameters() const;
  // Has the server itself read `values` from a scratch configuration.
  Result<bool> checkParameters(const std::map<std::string, std::string>& values) const;
  Result<BackupResult> backup(const EngineLayout& layout, const std::filesystem::path& target) override;
  Result<bool> restore(const std::filesystem::path& backup, const EngineLayout& layout,
                       std::optional<SystemTime> until, const std::filesystem::path& walArchive) override;
  std::optional<SystemTime> latestRestorableTime(const EngineLayout& layout) override;
  std::optional<std::pair<uint64_t, uint64_t>> backupProgress(const EngineLayout& layout) override;
  std::optional<uint64_t> walPosition(const EngineLayout& layout) override;
  Result<bool> destroy(const EngineLayout& layout) override;
  ServerExecutable serverExecutable(const EngineLayout& layout) override;
  Result<bool> share(const EngineLayout& layout, const std::filesystem::path& dir) override;

 private:
  std::string tool(const char* name) const;
  std::string libDir() const;  // the installed major's extension libraries
  engines::ProcessResult run(const std::vector<std::string>& argv, const std::string& stdinText = "",
                             std::chrono::seconds timeout = std::chrono::seconds(120),
                             const engines::Confinement& confinement = {}) const;
  // What the server may reach: its own directories, and while a restore
  // replays, the archive it replays from (confinement.h).
  engines::Confinement confinement(const EngineLayout& layout) const;
  std::filesystem::path replaySources() const;  // Kura's notes of where restores replay from
  Result<bool> prepareDir(const std::filesystem::path& dir) const;
  Result<bool> writeSettings(const EngineLayout& layout) const;
  std::string preloadSettings() const;
  // Who files Kura makes for the engine belong to (none: Kura's own user).
  std::optional<FileOwner> fileOwner() const;
  // The engine's processes run as this user (none: as Kura's own).
  std::optional<uid_t> engineUid() const;
  // Makes the master user what RDS makes it (see rolesStatement), and Kura's
  // own role where an instance made before it has none.
  Result<bool> ensureRoles(const EngineLayout& layout);
  // The primary has nothing written that is not in the archive.
  bool everythingArchived(const EngineLayout& layout);
  // Where the server's log stands (its newest file and that file's size).
  struct LogMark {
    std::string file;
    uint64_t size = 0;
  };
  LogMark logMark(const EngineLayout& layout) const;
  // A point-in-time restore found no commit after its target in the
  // archive (so the server said in its log since `since`).
  bool recoveryTargetUnreached(const EngineLayout& layout, const LogMark& since) const;
  Result<bool> dropRecoveryTarget(const EngineLayout& layout) const;
  // Polls pg_stat_replication on the primary until `condition` holds for a row.
  bool waitForStandby(const EngineLayout& primary, std::chrono::seconds timeout, const std::string& condition);
  // As Kura's own role (rdsadmin), over the instance's socket.
  Result<std::string> sql(const EngineLayout& layout, const std::string& statement) const;
  Result<std::string> sqlAs(const EngineLayout& layout, const std::string& user, const std::string& statement) const;
  // As Kura's own role, in `database`.
  Result<std::string> sqlIn(const EngineLayout& layout, const std::string& database,
                            const std::string& statement) const;
  Result<std::string> runSql(const EngineLayout& layout, const std::string& user, const std::string& database,
                             const std::string& statement) const;
  // Converting an instance whose master user was a superuser: what it may
  // have left to act with a superuser's rights later goes.
  Result<bool> clearSuperuserLeftovers(const EngineLayout& layout);

  // Where everythingArchived found all archived and no transaction id in
  // use: instance directory -> the next transaction id then. And the
  // instances it switched a segment for, once each.
  std::mutex archiveMutex_;
  std::map<std::string, std::string> quietAt_;
  // Where everythingArchived last said yes: the newest WAL file's name, time
  // and size just before it asked, and when. While pg_wal is unchanged (no
  // record written, so no commit) the answer stands, up to 10 s, without a
  // query: an idle fleet costs no psql every other second. Kept only when
  // that file was older than a second then (latestRestorableTime says why).
  struct IdleVerdict {
    std::string walMark;
    std::chrono::steady_clock::time_point at{};
  };
  std::map<std::string, IdleVerdict> idleVerdicts_;
  std::set<std::string> switchedOnce_;
  int major_;
  engines::EngineUser user_;
  std::filesystem::path dataDir_;
};

}  // namespace kura::rds
