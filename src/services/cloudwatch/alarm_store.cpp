#include "services/cloudwatch/alarm_store.h"

namespace kura {

AlarmStore::AlarmStore(const std::filesystem::path& dataDir) : db_(dataDir / "monitoring" / "alarms.db") {
  db_.exec(R"(
    CREATE TABLE IF NOT EXISTS alarms (
      account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, alarm TEXT NOT NULL,
      PRIMARY KEY (account, region, name));
    CREATE TABLE IF NOT EXISTS alarm_history (
      id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, alarm_name TEXT NOT NULL,
      timestamp REAL NOT NULL, type TEXT NOT NULL, summary TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS alarm_history_by_time ON alarm_history (account, region, timestamp);
  )");
}

std::optional<Json> AlarmStore::get(const AlarmRef& alarm) {
  std::lock_guard lock(mutex_);
  auto query = db_.prepare("SELECT alarm FROM alarms WHERE account = ? AND region = ? AND name = ?");
  query.bind(1, alarm.account).bind(2, alarm.region).bind(3, alarm.name);
  if (!query.step()) return std::nullopt;
  return Json::parse(query.text(0));
}

void AlarmStore::put(const AlarmRef& alarm, const Json& value) {
  std::lock_guard lock(mutex_);
  db_.prepare("INSERT INTO alarms VALUES (?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET "
              "alarm = excluded.alarm")
      .bind(1, alarm.account).bind(2, alarm.region).bind(3, alarm.name).bind(4, value.dump())
      .run();
}

bool AlarmStore::replace(const AlarmRef& alarm, const Json& expected, const Json& value) {
  std::lock_guard lock(mutex_);
  db_.prepare("UPDATE alarms SET alarm = ? WHERE account = ? AND region = ? AND name = ? AND alarm = ?")
      .bind(1, value.dump()).bind(2, alarm.account).bind(3, alarm.region).bind(4, alarm.name)
      .bind(5, expected.dump())
      .run();
  return db_.changes() == 1;
}

std::vector<std::pair<AlarmRef, Json>> AlarmStore::all() {
  std::lock_guard lock(mutex_);
  auto query = db_.prepare("SELECT account, region, name, alarm FROM alarms");
  std::vector<std::pair<AlarmRef, Json>> alarms;
  while (query.step()) {
    alarms.push_back({{query.text(0), query.text(1), query.text(2)}, Json::parse(query.text(3))});
  }
  return alarms;
}

std::vector<Json> AlarmStore::list(const std::string& account, const std::string& region,
                                   const std::string& afterName) {
  std::lock_guard lock(mutex_);
  auto query = db_.prepare("SELECT alarm FROM alarms WHERE account = ? AND region = ? AND name > ? ORDER BY name");
  query.bind(1, account).bind(2, region).bind(3, afterName);
  std::vector<Json> alarms;
  while (query.step()) alarms.push_back(Json::parse(query.text(0)));
  return alarms;
}

std::optional<std::string> AlarmStore::remove(const std::string& account, const std::string& region,
                                              const std::vector<std::string>& names) {
  std::lock_guard lock(mutex_);
  auto exists = db_.prepare("SELECT 1 FROM alarms WHERE account = ? AND region = ? AND name = ?");
  for (const std::string& name : names) {
    exists.bind(1, account).bind(2, region).bind(3, name);
    if (!exists.step()) return name;
    exists.reset();
  }
  db_.transaction([&] {
    auto remove = db_.prepare("DELETE FROM alarms WHERE account = ? AND region = ? AND name = ?");
    for (const std::string& name : names) {
      remove.bind(1, account).bind(2, region).bind(3, name);
      remove.run();
      remove.reset();
    }
  });
  return std::nullopt;
}

void AlarmStore::addHistory(const AlarmRef& alarm, const AlarmHistoryItem& item) {
  std::lock_guard lock(mutex_);
  db_.prepare("INSERT INTO alarm_history (account, region, alarm_name, timestamp, type, summary, data) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(1, alarm.account).bind(2, alarm.region).bind(3, alarm.name).bindReal(4, item.timestamp)
      .bind(5, item.type).bind(6, item.summary).bind(7, item.data)
      .run();
}

std::vector<AlarmHistoryItem> AlarmStore::history(const std::string& account, const std::string& region,
                                                  const std::string& alarmName, const std::string& type, double start,
                                                  double end, bool oldestFirst, int64_t afterId, size_t limit) {
  std::lock_guard lock(mutex_);
  std::string order = oldestFirst ? "ASC" : "DESC";
  auto query = db_.prepare(
      "SELECT id, alarm_name, timestamp, type, summary, data FROM alarm_history WHERE account = ? AND region = ? "
      "AND (? = '' OR alarm_name = ?) AND (? = '' OR type = ?) AND timestamp >= ? AND timestamp < ? AND (? = 0 OR " +
      std::string(oldestFirst ? "id > ?" : "id < ?") + ") ORDER BY id " + order + " LIMIT ?");
  query.bind(1, account).bind(2, region).bind(3, alarmName).bind(4, alarmName).bind(5, type).bind(6, type)
      .bindReal(7, start).bindReal(8, end).bind(9, afterId).bind(10, afterId).bind(11, static_cast<int64_t>(limit));
  std::vector<AlarmHistoryItem> items;
  while (query.step()) {
    items.push_back({query.integer(0), query.text(1), query.real(2), query.text(3), query.text(4), query.text(5)});
  }
  return items;
}

void carryAlarmState(Json& alarm, const std::optional<Json>& existing, double now, const Json& tags) {
  if (existing) {
    for (const char* kept : {"StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp",
                             "StateTransitionedTimestamp", "Tags"}) {
      if (existing->contains(kept)) alarm[kept] = (*existing)[kept];
    }
    return;
  }
  alarm["StateValue"] = "INSUFFICIENT_DATA";
  alarm["StateReason"] = "Unchecked: Initial alarm creation";
  alarm["StateUpdatedTimestamp"] = now;
  alarm["StateTransitionedTimestamp"] = now;
  alarm["Tags"] = tags;
}

}  // namespace kura
