#include "services/applicationautoscaling/scaling_store.h"

namespace kura {
namespace {

constexpr const char* kTarget = "target";
constexpr const char* kPolicy = "policy";
constexpr const char* kScheduled = "scheduled";
// The newest activities a target keeps: older ones are dropped as new ones
// come, so that a target scaled (or re-registered) over and over does not
// grow the store without end.
constexpr int64_t kActivitiesPerTarget = 1000;

}  // namespace

ScalingStore::ScalingStore(const std::filesystem::path& dataDir)
    : db_([&] {
        std::filesystem::create_directories(dataDir / "application-autoscaling");
        return dataDir / "application-autoscaling" / "scaling.db";
      }()) {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL, "
      "namespace TEXT NOT NULL, resource TEXT NOT NULL, dimension TEXT NOT NULL, name TEXT NOT NULL, "
      "body TEXT NOT NULL, PRIMARY KEY (kind, account, region, namespace, resource, dimension, name));"
      "CREATE TABLE IF NOT EXISTS activities (id INTEGER PRIMARY KEY AUTOINCREMENT, activity_id TEXT NOT NULL UNIQUE, "
      "account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL, resource TEXT NOT NULL, "
      "dimension TEXT NOT NULL, body TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS activities_of_target ON activities (account, region, namespace, resource, "
      "dimension, id);");
}

namespace {

std::optional<Json> getObject(SqliteDb& db, const char* kind, const TargetKey& key, const std::string& name) {
  auto statement = db.prepare(
      "SELECT body FROM objects WHERE kind = ? AND account = ? AND region = ? AND namespace = ? AND resource = ? "
      "AND dimension = ? AND name = ?");
  statement.bind(1, kind).bind(2, key.account).bind(3, key.region).bind(4, key.nameSpace);
  statement.bind(5, key.resourceId).bind(6, key.dimension).bind(7, name);
  if (!statement.step()) return std::nullopt;
  return Json::parse(statement.text(0));
}

void putObject(SqliteDb& db, const char* kind, const TargetKey& key, const std::string& name, const Json& body) {
  auto statement = db.prepare("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  statement.bind(1, kind).bind(2, key.account).bind(3, key.region).bind(4, key.nameSpace);
  statement.bind(5, key.resourceId).bind(6, key.dimension).bind(7, name).bind(8, body.dump());
  statement.run();
}

bool removeObject(SqliteDb& db, const char* kind, const TargetKey& key, const std::string& name) {
  auto statement = db.prepare(
      "DELETE FROM objects WHERE kind = ? AND account = ? AND region = ? AND namespace = ? AND resource = ? "
      "AND dimension = ? AND name = ?");
  statement.bind(1, kind).bind(2, key.account).bind(3, key.region).bind(4, key.nameSpace);
  statement.bind(5, key.resourceId).bind(6, key.dimension).bind(7, name);
  statement.run();
  return db.changes() > 0;
}

std::vector<std::pair<TargetKey, Json>> listObjects(SqliteDb& db, const char* kind, const std::string& account,
                                                    const std::string& region, const std::string& nameSpace) {
  auto statement = db.prepare(
      "SELECT account, region, namespace, resource, dimension, body FROM objects WHERE kind = ? "
      "AND (? = '' OR (account = ? AND region = ? AND namespace = ?)) "
      "ORDER BY account, region, namespace, resource, dimension, name");
  statement.bind(1, kind).bind(2, account).bind(3, account).bind(4, region).bind(5, nameSpace);
  std::vector<std::pair<TargetKey, Json>> found;
  while (statement.step()) {
    found.emplace_back(TargetKey{statement.text(0), statement.text(1), statement.text(2), statement.text(3),
                                 statement.text(4)},
                       Json::parse(statement.text(5)));
  }
  return found;
}

}  // namespace

std::optional<Json> ScalingStore::target(const TargetKey& key) {
  std::lock_guard lock(mutex_);
  return getObject(db_, kTarget, key, "");
}

void ScalingStore::putTarget(const TargetKey& key, const Json& target) {
  std::lock_guard lock(mutex_);
  putObject(db_, kTarget, key, "", target);
}

std::vector<Json> ScalingStore::removeTarget(const TargetKey& key) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&] {
    std::vector<Json> policies;
    auto statement = db_.prepare(
        "SELECT body FROM objects WHERE kind = ? AND account = ? AND region = ? AND namespace = ? AND resource = ? "
        "AND dimension = ?");
    statement.bind(1, kPolicy).bind(2, key.account).bind(3, key.region).bind(4, key.nameSpace);
    statement.bind(5, key.resourceId).bind(6, key.dimension);
    while (statement.step()) policies.push_back(Json::parse(statement.text(0)));
    auto removal = db_.prepare(
        "DELETE FROM objects WHERE account = ? AND region = ? AND namespace = ? AND resource = ? AND dimension = ?");
    removal.bind(1, key.account).bind(2, key.region).bind(3, key.nameSpace).bind(4, key.resourceId);
    removal.bind(5, key.dimension);
    removal.run();
    return policies;
  });
}

std::vector<std::pair<TargetKey, Json>> ScalingStore::targets(const std::string& account, const std::string& region,
                                                              const std::string& nameSpace) {
  std::lock_guard lock(mutex_);
  return listObjects(db_, kTarget, account, region, nameSpace);
}

std::optional<Json> ScalingStore::policy(const TargetKey& key, const std::string& name) {
  std::lock_guard lock(mutex_);
  return getObject(db_, kPolicy, key, name);
}

void ScalingStore::putPolicy(const TargetKey& key, const std::string& name, const Json& policy) {
  std::lock_guard lock(mutex_);
  putObject(db_, kPolicy, key, name, policy);
}

bool ScalingStore::removePolicy(const TargetKey& key, const std::string& name) {
  std::lock_guard lock(mutex_);
  return removeObject(db_, kPolicy, key, name);
}

std::vector<std::pair<TargetKey, Json>> ScalingStore::policies(const std::string& account, const std::string& region,
                                                               const std::string& nameSpace) {
  std::lock_guard lock(mutex_);
  return listObjects(db_, kPolicy, account, region, nameSpace);
}

std::optional<Json> ScalingStore::scheduledAction(const TargetKey& key, const std::string& name) {
  std::lock_guard lock(mutex_);
  return getObject(db_, kScheduled, key, name);
}

void ScalingStore::putScheduledAction(const TargetKey& key, const std::string& name, const Json& action) {
  std::lock_guard lock(mutex_);
  putObject(db_, kScheduled, key, name, action);
}

bool ScalingStore::removeScheduledAction(const TargetKey& key, const std::string& name) {
  std::lock_guard lock(mutex_);
  return removeObject(db_, kScheduled, key, name);
}

std::vector<std::pair<TargetKey, Json>> ScalingStore::scheduledActions(const std::string& account,
                                                                       const std::string& region,
                                                                       const std::string& nameSpace) {
  std::lock_guard lock(mutex_);
  return listObjects(db_, kScheduled, account, region, nameSpace);
}

void ScalingStore::putActivity(const TargetKey& key, const Json& activity) {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare(
      "INSERT INTO activities (activity_id, account, region, namespace, resource, dimension, body) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (activity_id) DO UPDATE SET body = excluded.body");
  statement.bind(1, activity["ActivityId"].get<std::string>()).bind(2, key.account).bind(3, key.region);
  statement.bind(4, key.nameSpace).bind(5, key.resourceId).bind(6, key.dimension).bind(7, activity.dump());
  statement.run();
  auto prune = db_.prepare(
      "DELETE FROM activities WHERE account = ?1 AND region = ?2 AND namespace = ?3 AND resource = ?4 AND "
      "dimension = ?5 AND id <= (SELECT id FROM activities WHERE account = ?1 AND region = ?2 AND namespace = ?3 "
      "AND resource = ?4 AND dimension = ?5 ORDER BY id DESC LIMIT 1 OFFSET ?6)");
  prune.bind(1, key.account).bind(2, key.region).bind(3, key.nameSpace).bind(4, key.resourceId);
  prune.bind(5, key.dimension).bind(6, kActivitiesPerTarget);
  prune.run();
}

std::vector<Json> ScalingStore::activities(const std::string& account, const std::string& region,
                                           const std::string& nameSpace, const std::string& resourceId,
                                           const std::string& dimension, size_t limit) {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare(
      "SELECT body FROM activities WHERE account = ? AND region = ? AND namespace = ? AND (? = '' OR resource = ?) "
      "AND (? = '' OR dimension = ?) ORDER BY id DESC LIMIT ?");
  statement.bind(1, account).bind(2, region).bind(3, nameSpace).bind(4, resourceId).bind(5, resourceId);
  statement.bind(6, dimension).bind(7, dimension).bind(8, static_cast<int64_t>(limit));
  std::vector<Json> found;
  while (statement.step()) found.push_back(Json::parse(statement.text(0)));
  return found;
}

}  // namespace kura
