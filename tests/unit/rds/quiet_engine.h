#pragma once
// An RDS engine for supervisor tests: there, answering, with nothing to say.
#include <filesystem>

#include "rds/instance_engine.h"

namespace kura::rds::testing {

class QuietEngine : public InstanceEngine {
 public:
  Result<bool> create(const EngineLayout&) override { return true; }
  Result<bool> start(const EngineLayout&) override { return true; }
  Result<bool> stop(const EngineLayout&) override { return true; }
  bool running(const EngineLayout&) override { return true; }
  Result<bool> setMasterPassword(const EngineLayout&) override { return true; }
  Result<bool> reload(const EngineLayout&) override { return true; }
  Result<BackupResult> backup(const EngineLayout&, const std::filesystem::path&) override { return BackupResult{}; }
  Result<bool> restore(const std::filesystem::path&, const EngineLayout&, std::optional<SystemTime>,
                       const std::filesystem::path&) override {
    return true;
  }
  std::optional<SystemTime> latestRestorableTime(const EngineLayout&) override { return std::nullopt; }
  Result<bool> createStandby(const EngineLayout&, const EngineLayout&) override { return true; }
  Result<bool> follow(const EngineLayout&, const EngineLayout&) override { return true; }
  std::optional<ReplicaStatus> replicaStatus(const EngineLayout&) override { return ReplicaStatus{}; }
  Result<bool> promote(const EngineLayout&) override { return true; }
  Result<bool> fence(const EngineLayout&) override { return true; }
  bool healthy(const EngineLayout&, std::chrono::milliseconds) override { return true; }
  bool synchronousStandbyStreaming(const EngineLayout&, std::chrono::seconds) override { return true; }
  bool standbyStreaming(const EngineLayout&, std::chrono::seconds) override { return true; }
  std::optional<uint64_t> walPosition(const EngineLayout&) override { return 1; }
  std::optional<int64_t> connections(const EngineLayout&) override { return 0; }
  Result<bool> destroy(const EngineLayout&) override { return true; }
  Result<bool> share(const EngineLayout&, const std::filesystem::path&) override { return true; }
  // What its servers run, as a test sets it (by default: cannot be told).
  ServerExecutable serverExecutable(const EngineLayout&) override { return executable; }
  ServerExecutable executable = ServerExecutable::kUnknown;
};

}  // namespace kura::rds::testing
