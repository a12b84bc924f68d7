#include "services/secretsmanager/secret_store.h"

#include <algorithm>

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
}

void SecretStore::save(const SecretRecord& secret) {
  std::lock_guard lock(mutex_);
  db_.transaction([&] {
    db_.prepare("INSERT INTO secrets(arn, account, region, name, meta) VALUES(?,?,?,?,?) "
                "ON CONFLICT(arn) DO UPDATE SET meta=excluded.meta")
        .bind(1, secret.arn)
        .bind(2, secret.account)
        .bind(3, secret.region)
        .bind(4, secret.name)
        .bind(5, metaOf(secret).dump())
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

std::vector<SecretRecord> SecretStore::summaries(const std::string& account, const std::string& region) {
  std::lock_guard lock(mutex_);
  auto select =
      db_.prepare("SELECT arn, account, region, name, meta FROM secrets WHERE account=? AND region=? ORDER BY name");
  select.bind(1, account).bind(2, region);
  std::vector<SecretRecord> out;
  while (select.step()) {
    SecretRecord secret;
    secret.arn = select.text(0);
    secret.account = select.text(1);
    secret.region = select.text(2);
    secret.name = select.text(3);
    applyMeta(secret, Json::parse(select.text(4)));
    out.push_back(std::move(secret));
  }
  return out;
}

}  // namespace kura::secrets
