#include "catalog/catalog.h"

#include <algorithm>
#include <string>

#include "catalog/catalog_internal.h"
#include "catalog/migrations.h"

namespace kura {

using catalog_internal::fromMillis;
using catalog_internal::toMillis;

Catalog::Catalog(const std::filesystem::path& dataDir, ClockPtr clock)
    : clock_(clock ? std::move(clock) : realClock()), db_(dataDir / "catalog.db") {
  std::lock_guard lock(mutex_);
  migrate();
}

int64_t Catalog::nowMillis() const { return toMillis(clock_->now()); }

// --- Transactions --------------------------------------------------------------

// The depth of nesting is SqliteDb's: it follows what SQLite says, so a
// transaction SQLite rolled back on its own after SQLITE_FULL cannot leave
// it wrong (it once went negative and every later call failed).
void Catalog::begin() { db_.beginNested(); }

void Catalog::commit() {
  db_.commitNested();
  generation_.fetch_add(1, std::memory_order_acq_rel);
  // A savepoint's writes are visible to others once the outermost commits,
  // which holds mutex_ until then: counting them now is never too early
  // for a reader, who reads the catalog under mutex_ after the counter.
  for (size_t slot = 0; touchedSlots_ != 0 && slot < kServiceSlots; ++slot) {
    if (touchedSlots_ & (uint32_t{1} << slot)) serviceGenerations_[slot].fetch_add(1, std::memory_order_acq_rel);
  }
  touchedSlots_ = 0;
}

size_t Catalog::serviceSlot(std::string_view service) {
  return std::hash<std::string_view>{}(service) % kServiceSlots;
}

void Catalog::noteWrite(std::string_view service) { touchedSlots_ |= uint32_t{1} << serviceSlot(service); }

namespace {

// The service of an ARN (arn:aws:<service>:...).
std::string_view serviceOfArn(std::string_view arn) {
  size_t first = arn.find(':');
  size_t second = first == std::string_view::npos ? first : arn.find(':', first + 1);
  size_t third = second == std::string_view::npos ? second : arn.find(':', second + 1);
  if (third == std::string_view::npos) return {};
  return arn.substr(second + 1, third - second - 1);
}

}  // namespace

void Catalog::rollback() { db_.rollbackNested(); }

// --- Migrations ------------------------------------------------------------------

void Catalog::migrate() {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  const auto& migrations = catalogMigrations();
  int newestKnown = migrations.empty() ? 0 : migrations.back().version;
  {
    auto newest = db_.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    newest.step();
    if (newest.integer(0) > newestKnown) {
      throw SqliteError("the catalog has schema version " + std::to_string(newest.integer(0)) +
                        ", newer than this Kura knows (" + std::to_string(newestKnown) +
                        "); run a newer Kura or restore an older catalog");
    }
  }
  for (const auto& migration : migrations) {
    transact([&] {
      // Checked inside the transaction: another process may have applied it.
      auto applied = db_.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
      applied.bind(1, int64_t{migration.version});
      if (applied.step()) return;
      db_.exec(migration.sql);
      db_.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
          .bind(1, int64_t{migration.version})
          .bind(2, migration.name)
          .bind(3, nowMillis())
          .run();
    });
  }
}

std::vector<int> Catalog::appliedMigrations() {
  std::lock_guard lock(mutex_);
  std::vector<int> versions;
  auto statement = db_.prepare("SELECT version FROM schema_migrations ORDER BY version");
  while (statement.step()) versions.push_back(static_cast<int>(statement.integer(0)));
  return versions;
}

// --- Tags ------------------------------------------------------------------------

void Catalog::addTags(const std::string& arn, const std::vector<Tag>& tags) {
  transact([&] {
    noteWrite(serviceOfArn(arn));
    auto statement = db_.prepare(
        "INSERT INTO tags (arn, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value");
    for (const auto& tag : tags) {
      statement.bind(1, arn).bind(2, tag.key).bind(3, tag.value);
      statement.run();
      statement.reset();
    }
  });
}

void Catalog::removeTags(const std::string& arn, const std::vector<std::string>& keys) {
  transact([&] {
    noteWrite(serviceOfArn(arn));
    auto statement = db_.prepare("DELETE FROM tags WHERE arn = ? AND key = ?");
    for (const auto& key : keys) {
      statement.bind(1, arn).bind(2, key);
      statement.run();
      statement.reset();
    }
  });
}

std::vector<Tag> Catalog::listTags(const std::string& arn) {
  std::lock_guard lock(mutex_);
  std::vector<Tag> tags;
  auto statement = db_.prepare("SELECT key, value FROM tags WHERE arn = ? ORDER BY key");
  statement.bind(1, arn);
  while (statement.step()) tags.push_back({statement.text(0), statement.text(1)});
  return tags;
}

std::map<std::string, std::vector<Tag>> Catalog::listTagsOf(const std::vector<std::string>& arns) {
  std::map<std::string, std::vector<Tag>> tags;
  if (arns.empty()) return tags;
  std::lock_guard lock(mutex_);
  // One statement whatever the count (the ARNs as one JSON array), read
  // along the primary key (arn, key).
  auto statement = db_.prepare(
      "SELECT arn, key, value FROM tags WHERE arn IN (SELECT value FROM json_each(?)) ORDER BY arn, key");
  statement.bind(1, nlohmann::json(arns).dump());
  while (statement.step()) tags[statement.text(0)].push_back({statement.text(1), statement.text(2)});
  return tags;
}

void Catalog::deleteAllTags(const std::string& arn) {
  transact([&] {
    noteWrite(serviceOfArn(arn));
    db_.prepare("DELETE FROM tags WHERE arn = ?").bind(1, arn).run();
  });
}

// --- Journal ---------------------------------------------------------------------

void Catalog::recordStep(int64_t resourceId, const std::string& step, const std::string& detail) {
  transact([&] {
    db_.prepare("INSERT INTO operation_steps (resource_id, step, detail, at) VALUES (?, ?, ?, ?)")
        .bind(1, resourceId)
        .bind(2, step)
        .bind(3, detail)
        .bind(4, nowMillis())
        .run();
  });
}

std::vector<OperationStep> Catalog::listSteps(int64_t resourceId) {
  std::lock_guard lock(mutex_);
  std::vector<OperationStep> steps;
  auto statement =
      db_.prepare("SELECT id, resource_id, step, detail, at FROM operation_steps WHERE resource_id = ? ORDER BY id");
  statement.bind(1, resourceId);
  while (statement.step()) {
    steps.push_back({statement.integer(0), statement.integer(1), statement.text(2), statement.text(3),
                     fromMillis(statement.integer(4))});
  }
  return steps;
}

// --- Idempotency tokens ------------------------------------------------------------

void Catalog::rememberToken(const std::string& accountId, const std::string& scope, const std::string& token,
                            const std::string& requestHash, const std::string& responseJson,
                            SystemTime expiresAt) {
  transact([&] {
    db_.prepare(
           "INSERT OR REPLACE INTO idempotency_tokens "
           "(account_id, scope, token, request_hash, response_json, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, accountId)
        .bind(2, scope)
        .bind(3, token)
        .bind(4, requestHash)
        .bind(5, responseJson)
        .bind(6, toMillis(expiresAt))
        .run();
  });
}

std::optional<StoredToken> Catalog::findToken(const std::string& accountId, const std::string& scope,
                                              const std::string& token) {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare(
      "SELECT request_hash, response_json, expires_at FROM idempotency_tokens "
      "WHERE account_id = ? AND scope = ? AND token = ? AND expires_at > ?");
  statement.bind(1, accountId).bind(2, scope).bind(3, token).bind(4, nowMillis());
  if (!statement.step()) return std::nullopt;
  return StoredToken{statement.text(0), statement.text(1), fromMillis(statement.integer(2))};
}

size_t Catalog::pruneExpiredTokens() {
  return transact([&] {
    db_.prepare("DELETE FROM idempotency_tokens WHERE expires_at <= ?").bind(1, nowMillis()).run();
    return static_cast<size_t>(db_.changes());
  });
}

// --- Settings --------------------------------------------------------------------

std::optional<std::string> Catalog::getSetting(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare("SELECT value FROM settings WHERE key = ?");
  statement.bind(1, key);
  if (!statement.step()) return std::nullopt;
  return statement.text(0);
}

void Catalog::putSetting(const std::string& key, const std::string& value) {
  transact([&] {
    db_.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value)
        .run();
  });
}

}  // namespace kura
