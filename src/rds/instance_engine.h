#pragma once
// What the RDS controllers need from a database engine, and nothing more:
// the port between the control plane (src/rds/) and the engine drivers
// (src/engines/). Every call is idempotent, so that a controller step cut
// off by a crash can simply be taken again.
#include <filesystem>
#include <map>
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/clock.h"

namespace kura {
class CertificateAuthority;
}

namespace kura::rds {

struct EngineLayout {
  // The instance's Engine ("postgres", "mysql", ...): which driver runs it.
  std::string engine;
  std::filesystem::path dir;         // the instance's own directory (data lives below it)
  std::filesystem::path walArchive;  // continuous archive for point-in-time restore
  // Encrypted instances: the engine archives here, and Kura seals each
  // segment into walArchive (empty: the engine archives to walArchive).
  std::filesystem::path walOutbox;
  int port = 0;
  std::string masterUser;
  std::string masterPassword;
  std::string dbName;
  // The instance's parameter group values (engine setting -> value).
  std::map<std::string, std::string> parameters;
  // Multi-AZ primary with a standby: a commit returns once the standby has it.
  bool synchronousStandby = false;
  // A read replica's name towards its source (its walreceiver's application
  // name): never the synchronous standby's, so that a commit to a Multi-AZ
  // source is never acknowledged by an asynchronous replica alone.
  std::string replicaName;
  // TLS: the CA that issues the server's certificate (none: no TLS), and
  // the names clients reach the server by (its subjectAltName).
  const CertificateAuthority* certificateAuthority = nullptr;
  std::vector<std::string> serverNames;
  // IAM database authentication: the port of Kura's responder on
  // 127.0.0.1 (0: none), and the key naming this instance to it (its
  // DbiResourceId). Token logins go there, over TLS only.
  int dbAuthPort = 0;
  std::string dbAuthKey;
  // The instance class's memory (db.serverless: its cluster's MaxCapacity's):
  // the most its server's processes may use together (0: no bound;
  // engines/memory_cgroup.h).
  uint64_t memoryBytes = 0;
  std::string instanceClass;  // what the bound comes from (for the log)
};

// Says so (a warning) when the server is about to start in a memory group
// without a bound: its class (one recorded before Kura knew classes) has
// no memory Kura knows, or it is db.serverless in a cluster without a
// capacity range (one made before Kura took ranges).
void warnIfUnbounded(const EngineLayout& layout);

// A standby's replication, as it reports it.
struct ReplicaStatus {
  bool streaming = false;  // its walreceiver streams from the upstream
  double lagSeconds = 0;   // how far its replay is behind (0 when caught up)
};

struct BackupResult {
  SystemTime startTime{};   // the backup is consistent as of this time
  uint64_t bytes = 0;
};

class InstanceEngine {
 public:
  virtual ~InstanceEngine() = default;
  // Creates the database files (if not there yet) and the master user.
  virtual Result<bool> create(const EngineLayout& layout) = 0;
  // Starts the server (adopting one already running on these files): true
  // when it started one, false when it adopted one.
  virtual Result<bool> start(const EngineLayout& layout) = 0;
  virtual Result<bool> stop(const EngineLayout& layout) = 0;
  virtual bool running(const EngineLayout& layout) = 0;
  virtual Result<bool> setMasterPassword(const EngineLayout& layout) = 0;
  // Writes the settings (layout.parameters included) and has the running
  // server re-read them: dynamic ones apply at once, static ones at restart.
  virtual Result<bool> reload(const EngineLayout& layout) = 0;
  // A consistent physical backup into `target` (created), with checksums.
  virtual Result<BackupResult> backup(const EngineLayout& layout, const std::filesystem::path& target) = 0;
  // New database files for `layout` from a backup (checksums verified first),
  // replayed to `until` from `walArchive` when given, else to the backup's end.
  virtual Result<bool> restore(const std::filesystem::path& backup, const EngineLayout& layout,
                               std::optional<SystemTime> until, const std::filesystem::path& walArchive) = 0;
  // The newest moment the archive can restore to (empty: nothing archived).
  virtual std::optional<SystemTime> latestRestorableTime(const EngineLayout& layout) = 0;
  // How far a backup of the instance under way has come, (bytes done, bytes
  // in all), when the engine can tell (PostgreSQL's
  // pg_stat_progress_basebackup); empty when it cannot or none runs.
  virtual std::optional<std::pair<uint64_t, uint64_t>> backupProgress(const EngineLayout&) { return std::nullopt; }
  // Multi-AZ. A standby of `primary` in `standby`'s directory, streaming
  // from it (the primary must run); the standby's server is not started.
  virtual Result<bool> createStandby(const EngineLayout& primary, const EngineLayout& standby) = 0;
  // Points a running standby at another upstream (the new primary of its
  // source after a failover); it follows the new timeline if it can.
  virtual Result<bool> follow(const EngineLayout& standby, const EngineLayout& upstream) = 0;
  // Empty when the standby does not answer (or is not one).
  virtual std::optional<ReplicaStatus> replicaStatus(const EngineLayout& standby) = 0;
  // Makes a standby the primary (a primary already: nothing to do).
  virtual Result<bool> promote(const EngineLayout& layout) = 0;
  // Kills the server and every process it started, at once (a hung one too),
  // so that it can never answer again.
  virtual Result<bool> fence(const EngineLayout& layout) = 0;
  // Answers a query within `timeout`.
  virtual bool healthy(const EngineLayout& layout, std::chrono::milliseconds timeout) = 0;
  // The primary reports a standby streaming to it as its synchronous one
  // (waits up to `timeout`).
  virtual bool synchronousStandbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) = 0;
  // A standby (not a read replica) streams from the primary, synchronous or
  // not (waits up to `timeout`).
  virtual bool standbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) = 0;
  // How far the server's WAL reaches (bytes): a standby's received or
  // replayed position, whichever is further; a primary's current one.
  // Empty when it does not answer within a few seconds.
  virtual std::optional<uint64_t> walPosition(const EngineLayout& layout) = 0;
  // Client sessions open on the server (RDS's DatabaseConnections); empty
  // when it does not answer.
  virtual std::optional<int64_t> connections(const EngineLayout& layout) = 0;
  // Removes the instance's files (the server must be stopped).
  virtual Result<bool> destroy(const EngineLayout& layout) = 0;
  // Gives files Kura made for the engine to read (an opened encrypted
  // snapshot or archive, which Kura's umask keeps to itself) to the user
  // the engine runs as.
  virtual Result<bool> share(const EngineLayout& layout, const std::filesystem::path& dir) = 0;
  // Whether the running server runs the server executable installed now
  // (engines/replaced_executable.h: a package upgrade since it started
  // replaces it): kUnknown when it cannot be told (no server, a pid file
  // that names another process, no permission).
  enum class ServerExecutable { kUnknown, kInstalled, kReplaced };
  virtual ServerExecutable serverExecutable(const EngineLayout&) { return ServerExecutable::kUnknown; }
};

}  // namespace kura::rds
