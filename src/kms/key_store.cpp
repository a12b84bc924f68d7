#include "kms/key_store.h"

#include <stdexcept>

#include "common/aes_gcm.h"
#include "common/crypto.h"

namespace kura::kms {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS keys(
  key_id TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, description TEXT NOT NULL,
  key_usage TEXT NOT NULL, key_spec TEXT NOT NULL, aws_managed INTEGER NOT NULL, state TEXT NOT NULL,
  created_ms INTEGER NOT NULL, deletion_date_ms INTEGER, pending_window_days INTEGER,
  rotation_enabled INTEGER NOT NULL, rotation_period_days INTEGER NOT NULL, next_rotation_ms INTEGER,
  current_version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS keys_by_place ON keys(account, region, key_id);
CREATE TABLE IF NOT EXISTS materials(
  key_id TEXT NOT NULL REFERENCES keys(key_id) ON DELETE CASCADE, version INTEGER NOT NULL,
  sealed TEXT NOT NULL, created_ms INTEGER NOT NULL, on_demand INTEGER NOT NULL, PRIMARY KEY(key_id, version));
CREATE TABLE IF NOT EXISTS aliases(
  account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES keys(key_id) ON DELETE CASCADE,
  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, PRIMARY KEY(account, region, name));
CREATE TABLE IF NOT EXISTS key_tags(
  key_id TEXT NOT NULL REFERENCES keys(key_id) ON DELETE CASCADE, tag_key TEXT NOT NULL, tag_value TEXT NOT NULL,
  PRIMARY KEY(key_id, tag_key));
CREATE TABLE IF NOT EXISTS key_policies(
  key_id TEXT PRIMARY KEY REFERENCES keys(key_id) ON DELETE CASCADE, policy TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS grants(
  grant_id TEXT NOT NULL, key_id TEXT NOT NULL REFERENCES keys(key_id) ON DELETE CASCADE,
  account TEXT NOT NULL, region TEXT NOT NULL, grant_token TEXT NOT NULL UNIQUE, grantee TEXT NOT NULL,
  retiring TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY(key_id, grant_id));
CREATE INDEX IF NOT EXISTS grants_by_grantee ON grants(key_id, grantee);
CREATE INDEX IF NOT EXISTS grants_by_retiring ON grants(account, region, retiring);
)sql";

constexpr const char* kKeyColumns =
    "key_id, account, region, description, key_usage, key_spec, aws_managed, state, created_ms, deletion_date_ms, "
    "pending_window_days, rotation_enabled, rotation_period_days, next_rotation_ms, current_version";

std::filesystem::path storePath(const std::filesystem::path& dataDir) {
  std::filesystem::create_directories(dataDir / "kms");
  return dataDir / "kms" / "kms.db";
}

std::optional<int64_t> optionalInteger(SqliteStatement& row, int column) {
  if (row.isNull(column)) return std::nullopt;
  return row.integer(column);
}

// The material's identity is authenticated with it: a sealed blob copied
// onto another key or version does not open.
std::string materialAad(const std::string& keyId, int64_t version) {
  return "kura-kms-material:" + keyId + ":" + std::to_string(version);
}

void bindKey(SqliteStatement& statement, const KeyRecord& key) {
  statement.bind(1, key.keyId)
      .bind(2, key.account)
      .bind(3, key.region)
      .bind(4, key.description)
      .bind(5, key.keyUsage)
      .bind(6, key.keySpec)
      .bind(7, int64_t{key.awsManaged})
      .bind(8, keyStateName(key.state))
      .bind(9, key.createdMs)
      .bind(10, key.deletionDateMs)
      .bind(11, key.pendingWindowDays)
      .bind(12, int64_t{key.rotationEnabled})
      .bind(13, key.rotationPeriodDays)
      .bind(14, key.nextRotationMs)
      .bind(15, key.currentVersion);
}

}  // namespace

std::string keyStateName(KeyState state) {
  switch (state) {
    case KeyState::Enabled: return "Enabled";
    case KeyState::Disabled: return "Disabled";
    case KeyState::PendingDeletion: return "PendingDeletion";
  }
  return "Enabled";
}

std::optional<KeyState> parseKeyState(const std::string& name) {
  if (name == "Enabled") return KeyState::Enabled;
  if (name == "Disabled") return KeyState::Disabled;
  if (name == "PendingDeletion") return KeyState::PendingDeletion;
  return std::nullopt;
}

KeyStore::KeyStore(const std::filesystem::path& dataDir, std::string rootKey)
    : rootKey_(std::move(rootKey)), db_(storePath(dataDir)) {
  db_.exec(kSchema);
}

KeyRecord KeyStore::readKey(SqliteStatement& row) {
  KeyRecord key;
  key.keyId = row.text(0);
  key.account = row.text(1);
  key.region = row.text(2);
  key.description = row.text(3);
  key.keyUsage = row.text(4);
  key.keySpec = row.text(5);
  key.awsManaged = row.integer(6) != 0;
  key.state = parseKeyState(row.text(7)).value_or(KeyState::Disabled);
  key.createdMs = row.integer(8);
  key.deletionDateMs = optionalInteger(row, 9);
  key.pendingWindowDays = optionalInteger(row, 10);
  key.rotationEnabled = row.integer(11) != 0;
  key.rotationPeriodDays = row.integer(12);
  key.nextRotationMs = optionalInteger(row, 13);
  key.currentVersion = row.integer(14);
  return key;
}

std::string KeyStore::seal(const std::string& keyId, const KeyMaterial& material) const {
  return base64Encode(aesGcmSeal(rootKey_, material.bytes, materialAad(keyId, material.version)));
}

void KeyStore::insertMaterialLocked(const std::string& keyId, const KeyMaterial& material) {
  db_.prepare("INSERT INTO materials(key_id, version, sealed, created_ms, on_demand) VALUES(?,?,?,?,?)")
      .bind(1, keyId)
      .bind(2, material.version)
      .bind(3, seal(keyId, material))
      .bind(4, material.createdMs)
      .bind(5, int64_t{material.onDemand})
      .run();
}

void KeyStore::updateKeyLocked(const KeyRecord& key) {
  keyGeneration_.fetch_add(1, std::memory_order_acq_rel);
  auto update = db_.prepare(
      "UPDATE keys SET account=?2, region=?3, description=?4, key_usage=?5, key_spec=?6, aws_managed=?7, state=?8, "
      "created_ms=?9, deletion_date_ms=?10, pending_window_days=?11, rotation_enabled=?12, rotation_period_days=?13, "
      "next_rotation_ms=?14, current_version=MAX(current_version, ?15) WHERE key_id=?1");
  bindKey(update, key);
  update.run();
}

void KeyStore::insertKey(const KeyRecord& key, const KeyMaterial& first, const std::string& policy) {
  std::lock_guard lock(mutex_);
  db_.transaction([&] {
    auto insert = db_.prepare(std::string("INSERT INTO keys(") + kKeyColumns +
                              ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    bindKey(insert, key);
    insert.run();
    insertMaterialLocked(key.keyId, first);
    db_.prepare("INSERT INTO key_policies(key_id, policy) VALUES(?,?)").bind(1, key.keyId).bind(2, policy).run();
  });
}

void KeyStore::updateKey(const KeyRecord& key) {
  std::lock_guard lock(mutex_);
  updateKeyLocked(key);
}

void KeyStore::eraseKey(const std::string& keyId) {
  std::lock_guard lock(mutex_);
  keyGeneration_.fetch_add(1, std::memory_order_acq_rel);
  db_.prepare("DELETE FROM keys WHERE key_id=?").bind(1, keyId).run();
}

std::optional<KeyRecord> KeyStore::key(const std::string& keyId) {
  std::lock_guard lock(mutex_);
  auto select = db_.prepare(std::string("SELECT ") + kKeyColumns + " FROM keys WHERE key_id=?");
  select.bind(1, keyId);
  if (!select.step()) return std::nullopt;
  return readKey(select);
}

std::vector<KeyRecord> KeyStore::keys(const std::string& account, const std::string& region, const std::string& after,
                                      size_t limit) {
  std::lock_guard lock(mutex_);
  auto select = db_.prepare(std::string("SELECT ") + kKeyColumns +
                            " FROM keys WHERE account=? AND region=? AND key_id>? ORDER BY key_id LIMIT ?");
  select.bind(1, account).bind(2, region).bind(3, after).bind(4, static_cast<int64_t>(limit));
  std::vector<KeyRecord> out;
  while (select.step()) out.push_back(readKey(select));
  return out;
}

std::optional<KeyRecord> KeyStore::rotate(const std::string& keyId, std::string materialBytes, int64_t nowMs,
                                          std::optional<int64_t> nextRotationMs) {
  std::lock_guard lock(mutex_);
  std::optional<KeyRecord> rotated;
  db_.transaction([&] {
    auto select = db_.prepare(std::string("SELECT ") + kKeyColumns + " FROM keys WHERE key_id=?");
    select.bind(1, keyId);
    if (!select.step()) return;
    KeyRecord key = readKey(select);
    bool automatic = nextRotationMs.has_value();
    if (automatic && (!key.rotationEnabled || !key.nextRotationMs || nowMs < *key.nextRotationMs)) {
      rotated = key;  // another caller rotated it first
      return;
    }
    auto newest = db_.prepare("SELECT MAX(version) FROM materials WHERE key_id=?");
    newest.bind(1, keyId);
    int64_t version = (newest.step() ? newest.integer(0) : 0) + 1;
    insertMaterialLocked(keyId, KeyMaterial{version, std::move(materialBytes), nowMs, !automatic});
    key.currentVersion = version;
    if (automatic) key.nextRotationMs = nextRotationMs;
    updateKeyLocked(key);
    rotated = key;
  });
  return rotated;
}

std::optional<KeyMaterial> KeyStore::material(const std::string& keyId, int64_t version) {
  std::lock_guard lock(mutex_);
  auto select = db_.prepare("SELECT sealed, created_ms, on_demand FROM materials WHERE key_id=? AND version=?");
  select.bind(1, keyId).bind(2, version);
  if (!select.step()) return std::nullopt;
  std::string sealed;
  if (!base64Decode(select.text(0), sealed)) return std::nullopt;
  auto bytes = aesGcmOpen(rootKey_, sealed, materialAad(keyId, version));
  // The root key that sealed it is not the one configured now.
  if (!bytes) throw std::runtime_error("KMS key material does not open under the configured root key");
  return KeyMaterial{version, std::move(*bytes), select.integer(1), select.integer(2) != 0};
}

std::vector<KeyMaterial> KeyStore::materials(const std::string& keyId) {
  std::lock_guard lock(mutex_);
  auto select = db_.prepare("SELECT version, created_ms, on_demand FROM materials WHERE key_id=? ORDER BY version");
  select.bind(1, keyId);
  std::vector<KeyMaterial> out;
  while (select.step()) out.push_back({select.integer(0), "", select.integer(1), select.integer(2) != 0});
  return out;
}

bool KeyStore::insertAlias(const std::string& account, const std::string& region, const AliasRecord& alias) {
  std::lock_guard lock(mutex_);
  auto insert = db_.prepare(
      "INSERT OR IGNORE INTO aliases(account, region, name, key_id, created_ms, updated_ms) VALUES(?,?,?,?,?,?)");
  insert.bind(1, account).bind(2, region).bind(3, alias.name).bind(4, alias.keyId).bind(5, alias.createdMs);
  insert.bind(6, alias.updatedMs).run();
  return db_.changes() == 1;
}

void KeyStore::pointAlias(const std::string& account, const std::string& region, const std::string& name,
                          const std::string& keyId, int64_t nowMs) {
  std::lock_guard lock(mutex_);
  db_.prepare("UPDATE aliases SET key_id=?, updated_ms=? WHERE account=? AND region=? AND name=?")
      .bind(1, keyId)
      .bind(2, nowMs)
      .bind(3, account)
      .bind(4, region)
      .bind(5, name)
      .run();
}

bool KeyStore::eraseAlias(const std::string& account, const std::string& region, const std::string& name) {
  std::lock_guard lock(mutex_);
  db_.prepare("DELETE FROM aliases WHERE account=? AND region=? AND name=?")
      .bind(1, account)
      .bind(2, region)
      .bind(3, name)
      .run();
  return db_.changes() == 1;
}

std::optional<AliasRecord> KeyStore::alias(const std::string& account, const std::string& region,
                                           const std::string& name) {
  std::lock_guard lock(mutex_);
  auto select =
      db_.prepare("SELECT name, key_id, created_ms, updated_ms FROM aliases WHERE account=? AND region=? AND name=?");
  select.bind(1, account).bind(2, region).bind(3, name);
  if (!select.step()) return std::nullopt;
  return AliasRecord{select.text(0), select.text(1), select.integer(2), select.integer(3)};
}

std::vector<AliasRecord> KeyStore::aliases(const std::string& account, const std::string& region) {
  std::lock_guard lock(mutex_);
  auto select = db_.prepare(
      "SELECT name, key_id, created_ms, updated_ms FROM aliases WHERE account=? AND region=? ORDER BY name");
  select.bind(1, account).bind(2, region);
  std::vector<AliasRecord> out;
  while (select.step()) out.push_back({select.text(0), select.text(1), select.integer(2), select.integer(3)});
  return out;
}

std::map<std::string, std::string> KeyStore::tags(const std::string& keyId) {
  std::lock_guard lock(mutex_);
  auto select = db_.prepare("SELECT tag_key, tag_value FROM key_tags WHERE key_id=? ORDER BY tag_key");
  select.bind(1, keyId);
  std::map<std::string, std::string> out;
  while (select.step()) out[select.text(0)] = select.text(1);
  return out;
}

void KeyStore::setTags(const std::string& keyId, const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(mutex_);
  db_.transaction([&] {
    for (const auto& [key, value] : tags) {
      db_.prepare("INSERT INTO key_tags(key_id, tag_key, tag_value) VALUES(?,?,?) "
                  "ON CONFLICT(key_id, tag_key) DO UPDATE SET tag_value=excluded.tag_value")
          .bind(1, keyId)
          .bind(2, key)
          .bind(3, value)
          .run();
    }
  });
}

void KeyStore::removeTags(const std::string& keyId, const std::vector<std::string>& keys) {
  std::lock_guard lock(mutex_);
  db_.transaction([&] {
    for (const std::string& key : keys) {
      db_.prepare("DELETE FROM key_tags WHERE key_id=? AND tag_key=?").bind(1, keyId).bind(2, key).run();
    }
  });
}

}  // namespace kura::kms
