#pragma once
// Secrets on SQLite (data/secretsmanager/secrets.db): a row per secret and
// one per version. A secret and all its versions are saved in one
// transaction, so a version's stages never half-move.
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/secretsmanager/secret_record.h"
#include "sql/sqlite_db.h"

namespace kura::secrets {

// Where a secret stands in ListSecrets' order.
struct SecretPosition {
  int64_t createdMs = 0;
  std::string arn;
};

class SecretStore {
 public:
  explicit SecretStore(const std::filesystem::path& dataDir);

  // Inserts or replaces the secret and its versions.
  void save(const SecretRecord& secret);
  void erase(const std::string& arn);
  std::optional<SecretRecord> byName(const std::string& account, const std::string& region, const std::string& name);
  std::optional<SecretRecord> byArn(const std::string& arn);
  // The ARNs that start with `prefix` (a partial ARN's candidates), read
  // from the primary key's order.
  std::vector<std::string> arnsStartingWith(const std::string& prefix);
  // A run of an account's region's secrets without their versions (what
  // ListSecrets filters on), in creation order and then ARN order (reversed
  // when `descending`), strictly after `after` when given, at most `limit`:
  // read from an index kept in that order, so a page costs the same at 10
  // and at 10,000 secrets. Secrets scheduled for deletion are left out.
  std::vector<SecretRecord> listedPage(const std::string& account, const std::string& region, bool descending,
                                       const std::optional<SecretPosition>& after, size_t limit);
  // The ARNs of the secrets another service owns (their rotations are
  // driven by Secrets Manager: owned_rotation.h).
  std::vector<std::string> ownedArns();
  // Gives each secret its versions' ids and stages (what ListSecrets shows
  // of them; not their values), all in one query.
  void addVersionStages(std::vector<SecretRecord>& secrets);

 private:
  void addListingColumns();
  std::optional<SecretRecord> loadWhere(const std::string& where, const std::vector<std::string>& args);

  std::mutex mutex_;
  SqliteDb db_;
};

}  // namespace kura::secrets
