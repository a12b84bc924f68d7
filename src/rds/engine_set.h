#pragma once
// The engine drivers of this host, by the Engine of the instances they run
// ("postgres" and "aurora-postgresql" -> PostgreSQL; "mysql" and "mariadb"
// -> MariaDB). The controllers and the supervisor hold one EngineSet and
// call it as they would one engine: each call goes to the driver of the
// layout's engine. What differs between engines lives in their drivers;
// nothing else branches on the engine's name.
#include <map>
#include <string>

#include "rds/instance_engine.h"

namespace kura::rds {

class EngineSet final : public InstanceEngine {
 public:
  // `driver` runs the instances of `engine` (it must outlive the set).
  void add(const std::string& engine, InstanceEngine& driver) { drivers_[engine] = &driver; }
  // Null when no driver on this host runs `engine`.
  InstanceEngine* find(const std::string& engine) const;
  bool empty() const { return drivers_.empty(); }

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
  std::optional<std::pair<uint64_t, uint64_t>> backupProgress(const EngineLayout& layout) override;
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
  Result<bool> share(const EngineLayout& layout, const std::filesystem::path& dir) override;
  ServerExecutable serverExecutable(const EngineLayout& layout) override;

 private:
  std::map<std::string, InstanceEngine*> drivers_;
};

}  // namespace kura::rds
