#pragma once
// What IAM database authentication needs of an RDS instance's record: the
// instance whose DbiResourceId an engine's login names, the resource id
// its tokens are allowed on (an Aurora member's: its cluster's), the
// endpoints its clients are given, and whether authentication is enabled.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "catalog/catalog.h"
#include "dbauth/db_auth_token.h"

namespace kura::dbauth {

std::optional<DbAuthTarget> rdsDbAuthTarget(Catalog& catalog, const std::string& dbiResourceId);

// The same through an index of instances by DbiResourceId, built once per
// RDS generation of the catalog (Catalog::serviceGeneration("rds")): a
// login reads its instance by ARN, not every instance of every account,
// and a key no instance has costs no read at all.
class DbAuthTargets {
 public:
  explicit DbAuthTargets(Catalog& catalog) : catalog_(catalog) {}
  std::optional<DbAuthTarget> find(const std::string& dbiResourceId);

 private:
  Catalog& catalog_;
  std::mutex mutex_;
  bool built_ = false;                                   // guarded by mutex_
  uint64_t generation_ = 0;                              // guarded by mutex_
  std::unordered_map<std::string, std::string> arnById_;  // guarded by mutex_
};

}  // namespace kura::dbauth
