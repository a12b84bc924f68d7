#pragma once
// Where an RDS instance's files live, and its engine layout from its record.
#include <filesystem>

#include "catalog/records.h"
#include "common/api_error.h"
#include "common/secret_box.h"
#include "rds/instance_engine.h"

namespace kura::rds {

struct RdsPaths {
  std::filesystem::path root;  // <data-dir>/rds

  std::filesystem::path instanceDir(const Resource& instance) const;
  std::filesystem::path walArchive(const std::string& dbiResourceId) const;
  std::filesystem::path snapshotDir(const Resource& snapshot) const;
};

// The engine layout of an instance record; the master password unsealed.
Result<EngineLayout> layoutOf(const Resource& instance, const RdsPaths& paths, const SecretBox& secrets);

}  // namespace kura::rds
