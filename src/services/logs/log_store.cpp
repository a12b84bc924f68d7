#include "services/logs/log_store.h"

#include "common/aes_gcm.h"
#include "common/crypto.h"

namespace kura {
namespace {

constexpr int64_t kMillisPerDay = 86400LL * 1000;

ApiError groupNotFound() {
  return ApiError::sender("ResourceNotFoundException", "The specified log group does not exist.");
}

ApiError keyUnusable(const ApiError& error) {
  return ApiError::sender("InvalidParameterException",
                          "The log group's KMS key cannot be used: " + error.message);
}

std::string groupArn(const std::string& account, const std::string& region, const std::string& group) {
  return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group;
}

kms::EncryptionContext contextOf(const std::string& account, const std::string& region, const std::string& group) {
  return {{"aws:logs:arn", groupArn(account, region, group)}};
}

bool hasColumn(SqliteDb& db, const char* table, const char* column) {
  auto statement = db.prepare("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?");
  statement.bind(1, table).bind(2, column);
  return statement.step() && statement.integer(0) > 0;
}

ApiError streamNotFound() {
  return ApiError::sender("ResourceNotFoundException", "The specified log stream does not exist.");
}

}  // namespace

LogStore::LogStore(const std::filesystem::path& dataDir, kms::KeyManager* keys)
    : keys_(keys), db_(dataDir / "logs" / "logs.db") {
  db_.exec(R"(
    CREATE TABLE IF NOT EXISTS log_groups (
      id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
      creation_time INTEGER NOT NULL, retention_days INTEGER, kms_key_id TEXT NOT NULL DEFAULT '',
      UNIQUE (account, region, name));
    CREATE TABLE IF NOT EXISTS log_streams (
      id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE,
      name TEXT NOT NULL, creation_time INTEGER NOT NULL, UNIQUE (group_id, name));
    CREATE TABLE IF NOT EXISTS log_events (
      id INTEGER PRIMARY KEY, stream_id INTEGER NOT NULL REFERENCES log_streams(id) ON DELETE CASCADE,
      timestamp INTEGER NOT NULL, ingestion_time INTEGER NOT NULL, message TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS log_events_by_time ON log_events (stream_id, timestamp, id);
  )");
  // Added with KMS encryption of log groups: the wrapped data key, and
  // which events are sealed under it.
  if (!hasColumn(db_, "log_groups", "data_key")) {
    db_.exec("ALTER TABLE log_groups ADD COLUMN data_key TEXT NOT NULL DEFAULT ''");
  }
  if (!hasColumn(db_, "log_events", "sealed")) {
    db_.exec("ALTER TABLE log_events ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0");
  }
}

Result<std::string> LogStore::dataKey(const std::string& account, const std::string& region, const std::string& group,
                                      const std::string& wrapped) {
  std::string blob;
  if (keys_ == nullptr || !base64Decode(wrapped, blob)) {
    return ApiError::internal("the log group's data key cannot be read");
  }
  auto opened = keys_->decrypt({account, region}, blob, contextOf(account, region, group));
  if (!opened) return keyUnusable(opened.error());
  return opened->plaintext;
}

Result<std::string> LogStore::wrapDataKey(const std::string& account, const std::string& region,
                                          const std::string& group, const std::string& kmsKeyArn,
                                          const std::string& wrapped) {
  if (keys_ == nullptr) return ApiError::sender("InvalidParameterException", "KMS is not available.");
  // The group keeps one data key: made now, or unwrapped and wrapped anew
  // under the new key (so events sealed before stay readable).
  std::string plaintext;
  if (wrapped.empty()) {
    auto made = keys_->generateDataKey({account, region}, kmsKeyArn, kAesKeyBytes, contextOf(account, region, group));
    if (!made) return keyUnusable(made.error());
    plaintext = made->plaintext;
  } else {
    auto opened = dataKey(account, region, group, wrapped);
    if (!opened) return opened.error();
    plaintext = *opened;
  }
  auto rewrapped = keys_->encrypt({account, region}, kmsKeyArn, plaintext, contextOf(account, region, group));
  if (!rewrapped) return keyUnusable(rewrapped.error());
  return base64Encode(rewrapped->blob);
}

Result<bool> LogStore::setKmsKey(const std::string& account, const std::string& region, const std::string& group,
                                 const std::string& kmsKeyArn) {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare("SELECT id, data_key FROM log_groups WHERE account = ? AND region = ? AND name = ?");
  statement.bind(1, account).bind(2, region).bind(3, group);
  if (!statement.step()) return groupNotFound();
  int64_t id = statement.integer(0);
  std::string wrapped = statement.text(1);
  if (!kmsKeyArn.empty()) {
    auto rewrapped = wrapDataKey(account, region, group, kmsKeyArn, wrapped);
    if (!rewrapped) return rewrapped.error();
    wrapped = *rewrapped;
  }
  db_.prepare("UPDATE log_groups SET kms_key_id = ?, data_key = ? WHERE id = ?")
      .bind(1, kmsKeyArn).bind(2, wrapped).bind(3, id).run();
  return true;
}

Result<int64_t> LogStore::groupId(const std::string& account, const std::string& region, const std::string& group) {
  auto statement = db_.prepare("SELECT id FROM log_groups WHERE account = ? AND region = ? AND name = ?");
  statement.bind(1, account).bind(2, region).bind(3, group);
  if (!statement.step()) return groupNotFound();
  return statement.integer(0);
}

Result<int64_t> LogStore::streamId(int64_t group, const std::string& stream) {
  auto statement = db_.prepare("SELECT id FROM log_streams WHERE group_id = ? AND name = ?");
  statement.bind(1, group).bind(2, stream);
  if (!statement.step()) return streamNotFound();
  return statement.integer(0);
}

Result<bool> LogStore::createGroup(const std::string& account, const std::string& region, const std::string& group,
                                   const std::string& kmsKeyArn, int64_t now) {
  std::lock_guard lock(mutex_);
  if (groupId(account, region, group).ok()) {
    return ApiError::sender("ResourceAlreadyExistsException", "The specified log group already exists");
  }
  std::string wrapped;
  if (!kmsKeyArn.empty()) {
    auto made = wrapDataKey(account, region, group, kmsKeyArn, "");
    if (!made) return made.error();
    wrapped = *made;
  }
  db_.prepare("INSERT INTO log_groups (account, region, name, creation_time, kms_key_id, data_key) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, account).bind(2, region).bind(3, group).bind(4, now).bind(5, kmsKeyArn).bind(6, wrapped).run();
  return true;
}

Result<bool> LogStore::deleteGroup(const std::string& account, const std::string& region, const std::string& group) {
  std::lock_guard lock(mutex_);
  auto id = groupId(account, region, group);
  if (!id) return id.error();
  db_.prepare("DELETE FROM log_groups WHERE id = ?").bind(1, *id).run();
  return true;
}

std::vector<LogGroupInfo> LogStore::listGroups(const std::string& account, const std::string& region,
                                               const std::string& prefix, const std::string& after, size_t limit) {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare(R"(
    SELECT g.name, g.creation_time, g.retention_days, g.kms_key_id,
           (SELECT COALESCE(SUM(LENGTH(e.message)), 0) FROM log_streams s JOIN log_events e ON e.stream_id = s.id
            WHERE s.group_id = g.id)
    FROM log_groups g WHERE account = ? AND region = ? AND substr(name, 1, length(?)) = ? AND name > ?
    ORDER BY name LIMIT ?)");
  statement.bind(1, account).bind(2, region).bind(3, prefix).bind(4, prefix).bind(5, after)
      .bind(6, static_cast<int64_t>(limit));
  std::vector<LogGroupInfo> groups;
  while (statement.step()) {
    LogGroupInfo info;
    info.name = statement.text(0);
    info.creationTime = statement.integer(1);
    if (!statement.isNull(2)) info.retentionInDays = statement.integer(2);
    info.kmsKeyId = statement.text(3);
    info.storedBytes = statement.integer(4);
    groups.push_back(std::move(info));
  }
  return groups;
}

Result<LogGroupInfo> LogStore::group(const std::string& account, const std::string& region, const std::string& group) {
  auto groups = listGroups(account, region, group, "", 1);
  if (groups.empty() || groups[0].name != group) return groupNotFound();
  return groups[0];
}

Result<bool> LogStore::setRetention(const std::string& account, const std::string& region, const std::string& group,
                                    std::optional<int64_t> days) {
  std::lock_guard lock(mutex_);
  auto id = groupId(account, region, group);
  if (!id) return id.error();
  db_.prepare("UPDATE log_groups SET retention_days = ? WHERE id = ?").bind(1, days).bind(2, *id).run();
  return true;
}

Result<bool> LogStore::createStream(const std::string& account, const std::string& region, const std::string& group,
                                    const std::string& stream, int64_t now) {
  std::lock_guard lock(mutex_);
  auto id = groupId(account, region, group);
  if (!id) return id.error();
  if (streamId(*id, stream).ok()) {
    return ApiError::sender("ResourceAlreadyExistsException", "The specified log stream already exists");
  }
  db_.prepare("INSERT INTO log_streams (group_id, name, creation_time) VALUES (?, ?, ?)")
      .bind(1, *id).bind(2, stream).bind(3, now).run();
  return true;
}

Result<bool> LogStore::deleteStream(const std::string& account, const std::string& region, const std::string& group,
                                    const std::string& stream) {
  std::lock_guard lock(mutex_);
  auto id = groupId(account, region, group);
  if (!id) return id.error();
  auto sid = streamId(*id, stream);
  if (!sid) return sid.error();
  db_.prepare("DELETE FROM log_streams WHERE id = ?").bind(1, *sid).run();
  return true;
}

Result<std::vector<LogStreamInfo>> LogStore::listStreams(const std::string& account, const std::string& region,
                                                         const std::string& group, const std::string& prefix,
                                                         bool byLastEvent, bool descending, const std::string& after,
                                                         size_t limit) {
  std::lock_guard lock(mutex_);
  auto id = groupId(account, region, group);
  if (!id) return id.error();
  std::string order = byLastEvent ? "last_event" : "s.name";
  std::string direction = descending ? "DESC" : "ASC";
  // `after` is the last name of the previous page; with byLastEvent the
  // page is taken after skipping names up to it in the same order.
  auto statement = db_.prepare(
      "SELECT s.name, s.creation_time, MIN(e.timestamp), MAX(e.timestamp) AS last_event, MAX(e.ingestion_time), "
      "COALESCE(SUM(LENGTH(e.message)), 0) FROM log_streams s LEFT JOIN log_events e ON e.stream_id = s.id "
      "WHERE s.group_id = ? AND substr(s.name, 1, length(?)) = ? GROUP BY s.id ORDER BY " +
      order + " " + direction + ", s.name " + direction);
  statement.bind(1, *id).bind(2, prefix).bind(3, prefix);
  std::vector<LogStreamInfo> streams;
  bool skipping = !after.empty();
  while (statement.step() && streams.size() < limit) {
    std::string name = statement.text(0);
    if (skipping) {
      if (name == after) skipping = false;
      continue;
    }
    LogStreamInfo info;
    info.name = name;
    info.creationTime = statement.integer(1);
    if (!statement.isNull(2)) info.firstEventTimestamp = statement.integer(2);
    if (!statement.isNull(3)) info.lastEventTimestamp = statement.integer(3);
    if (!statement.isNull(4)) info.lastIngestionTime = statement.integer(4);
    info.storedBytes = statement.integer(5);
    streams.push_back(std::move(info));
  }
  return streams;
}

Result<bool> LogStore::append(const std::string& account, const std::string& region, const std::string& group,
                              const std::string& stream, const std::vector<LogEvent>& events, int64_t now,
                              bool createMissing) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Result<bool> {
    auto id = groupId(account, region, group);
    if (!id && createMissing) {
      db_.prepare("INSERT INTO log_groups (account, region, name, creation_time) VALUES (?, ?, ?, ?)")
          .bind(1, account).bind(2, region).bind(3, group).bind(4, now).run();
      id = db_.lastInsertId();
    }
    if (!id) return id.error();
    auto sid = streamId(*id, stream);
    if (!sid && createMissing) {
      db_.prepare("INSERT INTO log_streams (group_id, name, creation_time) VALUES (?, ?, ?)")
          .bind(1, *id).bind(2, stream).bind(3, now).run();
      sid = db_.lastInsertId();
    }
    if (!sid) return sid.error();
    // A group with a key: every event sealed under the group's data key.
    std::optional<std::string> key;
    auto keyed = db_.prepare("SELECT kms_key_id, data_key FROM log_groups WHERE id = ?");
    keyed.bind(1, *id);
    if (keyed.step() && !keyed.text(0).empty()) {
      auto opened = dataKey(account, region, group, keyed.text(1));
      if (!opened) return opened.error();
      key = *opened;
    }
    auto insert = db_.prepare(
        "INSERT INTO log_events (stream_id, timestamp, ingestion_time, message, sealed) VALUES (?, ?, ?, ?, ?)");
    for (const LogEvent& event : events) {
      std::string stored = key ? base64Encode(aesGcmSeal(*key, event.message, group)) : event.message;
      insert.bind(1, *sid).bind(2, event.timestamp).bind(3, now).bind(4, stored).bind(5, int64_t{key ? 1 : 0});
      insert.run();
      insert.reset();
    }
    return true;
  });
}

Result<std::vector<LogEvent>> LogStore::events(const std::string& account, const std::string& region,
                                               const std::string& group, const LogEventQuery& query, int64_t now) {
  std::lock_guard lock(mutex_);
  auto statement =
      db_.prepare("SELECT id, retention_days, data_key FROM log_groups WHERE account = ? AND region = ? AND name = ?");
  statement.bind(1, account).bind(2, region).bind(3, group);
  if (!statement.step()) return groupNotFound();
  int64_t id = statement.integer(0);
  std::string wrapped = statement.text(2);
  std::optional<int64_t> startTime = query.startTime;
  if (!statement.isNull(1)) {
    // Events past the group's retention are gone, whether or not pruned yet.
    int64_t cutoff = now - statement.integer(1) * kMillisPerDay;
    db_.prepare("DELETE FROM log_events WHERE timestamp < ? AND stream_id IN (SELECT id FROM log_streams WHERE group_id = ?)")
        .bind(1, cutoff).bind(2, id).run();
    startTime = std::max(startTime.value_or(cutoff), cutoff);
  }
  std::string sql =
      "SELECT e.id, s.name, e.timestamp, e.ingestion_time, e.message, e.sealed FROM log_events e JOIN log_streams s ON "
      "s.id = e.stream_id WHERE s.group_id = ?1 AND substr(s.name, 1, length(?2)) = ?2 "
      "AND (?3 IS NULL OR e.timestamp >= ?3) AND (?4 IS NULL OR e.timestamp < ?4) "
      "AND (?5 IS NULL OR (e.timestamp, e.id) > (?5, ?6)) AND (?8 IS NULL OR (e.timestamp, e.id) < (?8, ?9))";
  if (!query.streams.empty()) {
    sql += " AND s.name IN (";
    for (size_t i = 0; i < query.streams.size(); ++i) sql += (i == 0 ? "?" : ", ?") + std::to_string(10 + i);
    sql += ")";
  }
  sql += query.newestFirst ? " ORDER BY e.timestamp DESC, e.id DESC" : " ORDER BY e.timestamp, e.id";
  sql += " LIMIT ?7";
  auto select = db_.prepare(sql);
  select.bind(1, id).bind(2, query.streamPrefix).bind(3, startTime).bind(4, query.endTime)
      .bind(7, static_cast<int64_t>(query.limit));
  if (query.after) select.bind(5, query.after->first).bind(6, query.after->second);
  if (query.before) select.bind(8, query.before->first).bind(9, query.before->second);
  for (size_t i = 0; i < query.streams.size(); ++i) select.bind(static_cast<int>(10 + i), query.streams[i]);
  std::vector<LogEvent> events;
  std::optional<std::string> key;  // unwrapped at the first sealed event
  while (select.step()) {
    LogEvent event{select.integer(0), select.text(1), select.integer(2), select.integer(3), select.text(4)};
    if (select.integer(5) != 0) {
      if (!key) {
        auto opened = dataKey(account, region, group, wrapped);
        if (!opened) return opened.error();
        key = *opened;
      }
      std::string sealed;
      std::optional<std::string> message;
      if (base64Decode(event.message, sealed)) message = aesGcmOpen(*key, sealed, group);
      if (!message) return ApiError::internal("a sealed log event does not open: the store is damaged");
      event.message = std::move(*message);
    }
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace kura
