#include "services/secretsmanager/secret_store.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>

#include "common/crypto.h"

namespace kura::secrets {
namespace {

using Json = nlohmann::json;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS secrets(
  arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, meta TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS secrets_by_name ON secrets(account, region, name);
CREATE TABLE IF NOT EXISTS versions(
  arn TEXT NOT NULL REFERENCES secrets(arn) ON DELETE CASCADE, version_id TEXT NOT NULL, stages TEXT NOT NULL,
  sealed TEXT NOT NULL, is_binary INTEGER NOT NULL, created_ms INTEGER NOT NULL, last_accessed_ms INTEGER,
  PRIMARY KEY(arn, version_id));
)sql";

template <typename T>
Json optionalJson(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

std::optional<int64_t> optionalInt(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<int64_t>();
}

Json metaOf(const SecretRecord& s) {
  return {{"description", s.description},
          {"kmsKeyId", s.kmsKeyId},
          {"createdMs", s.createdMs},
          {"lastChangedMs", s.lastChangedMs},
          {"lastAccessedMs", optionalJson(s.lastAccessedMs)},
          {"deletionDateMs", optionalJson(s.deletionDateMs)},
          {"deletedMs", optionalJson(s.deletedMs)},
          {"rotationEnabled", s.rotationEnabled},
          {"rotationLambdaArn", s.rotationLambdaArn},
          {"rotationRules", s.rotationRules},
          {"lastRotatedMs", optionalJson(s.lastRotatedMs)},
          {"owningService", s.owningService},
          {"tags", s.tags},
          {"resourcePolicy", s.resourcePolicy}};
}

void applyMeta(SecretRecord& s, const Json& meta) {
  s.description = meta.value("description", "");
  s.kmsKeyId = meta.value("kmsKeyId", "");
  s.createdMs = meta.value("createdMs", int64_t{0});
  s.lastChangedMs = meta.value("lastChangedMs", int64_t{0});
  s.lastAccessedMs = optionalInt(meta["lastAccessedMs"]);
  s.deletionDateMs = optionalInt(meta["deletionDateMs"]);
  s.deletedMs = optionalInt(meta["deletedMs"]);
  s.rotationEnabled = meta.value("rotationEnabled", false);
  s.rotationLambdaArn = meta.value("rotationLambdaArn", "");
  s.rotationRules = meta["rotationRules"];
  s.lastRotatedMs = optionalInt(meta["lastRotatedMs"]);
  s.owningService = meta.value("owningService", "");
  s.tags = meta["tags"].get<std::vector<std::pair<std::string, std::string>>>();
  s.resourcePolicy = meta.value("resourcePolicy", "");
}

// A secret another service owns, in SQL: one text for the index of them
// and the query that reads it.
constexpr std::string_view kOwnedSecret = "json_extract(meta, '$.owningService') <> ''";

bool hasColumn(SqliteDb& db, const char* table, const char* column) {
  auto statement = db.prepare("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?");
  statement.bind(1, table).bind(2, column);
  return statement.step() && statement.integer(0) > 0;
}

SecretRecord summaryFrom(SqliteStatement& select) {
  SecretRecord secret;
  secret.arn = select.text(0);
  secret.account = select.text(1);
  secret.region = select.text(2);
  secret.name = select.text(3);
  applyMeta(secret, Json::parse(select.text(4)));
  return secret;
}

}  // namespace

bool SecretVersion::has(const std::string& stage) const {
  return std::find(stages.begin(), stages.end(), stage) != stages.end();
}

SecretVersion* SecretRecord::versionWithStage(const std::string& stage) {
  for (SecretVersion& v : versions) {
    if (v.has(stage)) return &v;
  }
  return nullptr;
}

SecretVersion* SecretRecord::version(const std::string& versionId) {
  for (SecretVersion& v : versions) {
    if (v.versionId == versionId) return &v;
  }
  return nullptr;
}

SecretStore::SecretStore(const std::filesystem::path& dataDir) : db_(dataDir / "secretsmanager" / "secrets.db") {
  db_.exec(kSchema);
  addListingColumns();
}

// ListSecrets' order (creation time, then ARN) and whether a secret is
// listed at all, as columns under one index. Stores made before them get
// the columns filled from each secret's metadata, once.
void SecretStore::addListingColumns() {
  if (!hasColumn(db_, "secrets", "created_ms")) {
    db_.transaction([&] {
      db_.exec("ALTER TABLE secrets ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0");
      db_.exec("ALTER TABLE secrets ADD COLUMN deleting INTEGER NOT NULL DEFAULT 0");
      db_.exec("UPDATE secrets SET created_ms = json_extract(meta, '$.createdMs'), "
               "deleting = json_extract(meta, '$.deletionDateMs') IS NOT NULL");
    });
  }
  db_.exec("CREATE INDEX IF NOT EXISTS secrets_listed ON secrets(account, region, deleting, created_ms, arn)");
  // The owned secrets (ownedArns, every rotation pass): an index of them
  // alone, so the pass does not read every secret's metadata. Its WHERE is
  // ownedArns' own, as SQLite needs to use it.
  db_.exec("CREATE INDEX IF NOT EXISTS secrets_owned ON secrets(arn) WHERE " + std::string(kOwnedSecret));
}

void SecretStore::save(const SecretRecord& secret) {
  std::lock_guard lock(mutex_);
  db_.transaction([&] {
    db_.prepare("INSERT INTO secrets(arn, account, region, name, meta, created_ms, deleting) VALUES(?,?,?,?,?,?,?) "
                "ON CONFLICT(arn) DO UPDATE SET meta=excluded.meta, created_ms=excluded.created_ms, "
                "deleting=excluded.deleting")
        .bind(1, secret.arn)
        .bind(2, secret.account)
        .bind(3, secret.region)
        .bind(4, secret.name)
        .bind(5, metaOf(secret).dump())
        .bind(6, secret.createdMs)
        .bind(7, int64_t{secret.deletionDateMs.has_value()})
        .run();
    db_.prepare("DELETE FROM versions WHERE arn=?").bind(1, secret.arn).run();
    for (const SecretVersion& v : secret.versions) {
      db_.prepare("INSERT INTO versions(arn, version_id, stages, sealed, is_binary, created_ms, last_accessed_ms) "
                  "VALUES(?,?,?,?,?,?,?)")
          .bind(1, secret.arn)
          .bind(2, v.versionId)
          .bind(3, Json(v.stages).dump())
          .bind(4, base64Encode(v.sealed))
          .bind(5, int64_t{v.binary})
          .bind(6, v.createdMs)
          .bind(7, v.lastAccessedMs)
          .run();
    }
  });
}

void SecretStore::erase(const std::string& arn) {
  std::lock_guard lock(mutex_);
  db_.prepare("DELETE FROM secrets WHERE arn=?").bind(1, arn).run();
}

std::optional<SecretRecord> SecretStore::loadWhere(const std::string& where, const std::vector<std::string>& args) {
  auto select = db_.prepare("SELECT arn, account, region, name, meta FROM secrets WHERE " + where);
  for (size_t i = 0; i < args.size(); ++i) select.bind(static_cast<int>(i + 1), args[i]);
  if (!select.step()) return std::nullopt;
  SecretRecord secret;
  secret.arn = select.text(0);
  secret.account = select.text(1);
  secret.region = select.text(2);
  secret.name = select.text(3);
  applyMeta(secret, Json::parse(select.text(4)));
  auto versions = db_.prepare(
      "SELECT version_id, stages, sealed, is_binary, created_ms, last_accessed_ms FROM versions WHERE arn=? "
      "ORDER BY created_ms, version_id");
  versions.bind(1, secret.arn);
  while (versions.step()) {
    SecretVersion v;
    v.versionId = versions.text(0);
    v.stages = Json::parse(versions.text(1)).get<std::vector<std::string>>();
    base64Decode(versions.text(2), v.sealed);
    v.binary = versions.integer(3) != 0;
    v.createdMs = versions.integer(4);
    if (!versions.isNull(5)) v.lastAccessedMs = versions.integer(5);
    secret.versions.push_back(std::move(v));
  }
  return secret;
}

std::optional<SecretRecord> SecretStore::byName(const std::string& account, const std::string& region,
                                                const std::string& name) {
  std::lock_guard lock(mutex_);
  return loadWhere("account=? AND region=? AND name=?", {account, region, name});
}

std::optional<SecretRecord> SecretStore::byArn(const std::string& arn) {
  std::lock_guard lock(mutex_);
  return loadWhere("arn=?", {arn});
}

std::vector<std::string> SecretStore::arnsStartingWith(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  // The ARNs from `prefix` up to the first that does not start with it.
  auto select = db_.prepare("SELECT arn FROM secrets WHERE arn >= ? ORDER BY arn");
  select.bind(1, prefix);
  std::vector<std::string> out;
  while (select.step()) {
    std::string arn = select.text(0);
    if (arn.rfind(prefix, 0) != 0) break;
    out.push_back(std::move(arn));
  }
  return out;
}

std::vector<SecretRecord> SecretStore::listedPage(const std::string& account, const std::string& region,
                                                  bool descending, const std::optional<SecretPosition>& after,
                                                  size_t limit) {
  std::lock_guard lock(mutex_);
  std::string sql = "SELECT arn, account, region, name, meta FROM secrets WHERE account=? AND region=? AND deleting=0";
  if (after) sql += descending ? " AND (created_ms, arn) < (?, ?)" : " AND (created_ms, arn) > (?, ?)";
  sql += descending ? " ORDER BY created_ms DESC, arn DESC LIMIT ?" : " ORDER BY created_ms, arn LIMIT ?";
  auto select = db_.prepare(sql);
  select.bind(1, account).bind(2, region);
  if (after) select.bind(3, after->createdMs).bind(4, after->arn);
  select.bind(after ? 5 : 3, static_cast<int64_t>(limit));
  std::vector<SecretRecord> out;
  while (select.step()) out.push_back(summaryFrom(select));
  return out;
}

std::vector<std::string> SecretStore::ownedArns() {
  std::lock_guard lock(mutex_);
  auto select = db_.prepare("SELECT arn FROM secrets WHERE " + std::string(kOwnedSecret));
  std::vector<std::string> out;
  while (select.step()) out.push_back(select.text(0));
  return out;
}

void SecretStore::addVersionStages(std::vector<SecretRecord>& secrets) {
  if (secrets.empty()) return;
  std::lock_guard lock(mutex_);
  std::map<std::string, SecretRecord*> byArn;
  std::string sql = "SELECT arn, version_id, stages, created_ms FROM versions WHERE arn IN (";
  for (size_t i = 0; i < secrets.size(); ++i) {
    secrets[i].versions.clear();
    byArn[secrets[i].arn] = &secrets[i];
    sql += i == 0 ? "?" : ",?";
  }
  sql += ") ORDER BY arn, created_ms, version_id";
  auto select = db_.prepare(sql);
  for (size_t i = 0; i < secrets.size(); ++i) select.bind(static_cast<int>(i + 1), secrets[i].arn);
  while (select.step()) {
    auto owner = byArn.find(select.text(0));
    if (owner == byArn.end()) continue;
    SecretVersion v;
    v.versionId = select.text(1);
    v.stages = Json::parse(select.text(2)).get<std::vector<std::string>>();
    v.createdMs = select.integer(3);
    owner->second->versions.push_back(std::move(v));
  }
}

}  // namespace kura::secrets
