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

class SecretStore {
 public:
  explicit SecretStore(const std::filesystem::path& dataDir);

  // Inserts or replaces the secret and its versions.
  void save(const SecretRecord& secret);
  void erase(const std::string& arn);
  std::optional<SecretRecord> byName(const std::string& account, const std::string& region, const std::string& name);
  std::optional<SecretRecord> byArn(const std::string& arn);
  // Every secret of an account's region without its versions (what
  // ListSecrets filters and orders on, and a partial ARN is matched
  // against), in one read: a version costs a query of its own.
  std::vector<SecretRecord> summaries(const std::string& account, const std::string& region);

 private:
  std::optional<SecretRecord> loadWhere(const std::string& where, const std::vector<std::string>& args);

  std::mutex mutex_;
  SqliteDb db_;
};

}  // namespace kura::secrets
