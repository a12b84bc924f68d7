// The change log behind point-in-time recovery (see table_store.h).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <fmt/format.h>

#include <chrono>
#include <map>

#include "common/json_fast_parse.h"
#include "ddb/store_keys.h"
#include "ddb/table_store.h"

namespace kura::ddb {
namespace {

int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Entries sort by time, then by the order they were made in.
std::string entryKey(const std::string& tableId, int64_t micros, uint64_t sequence) {
  return keys::changeLog(tableId) + fmt::format("{:020}|{:020}", micros, sequence);
}

// The value: the item key, length-prefixed, then the item (empty: deleted).
std::string entryValue(const std::string& key, const Json* after) {
  return fmt::format("{:08x}", key.size()) + key + (after ? after->dump() : "");
}

}  // namespace

bool TableStore::logged(const std::string& tableId) {
  std::shared_lock lock(indexesMutex_);
  return logged_.count(tableId) > 0;
}

void TableStore::addChangeLogWrite(rocksdb::WriteBatch& batch, const std::string& tableId, const std::string& key,
                                   const Json* after) {
  if (!logged(tableId)) return;
  batch.Put(entryKey(tableId, nowMicros(), changeSequence_++), entryValue(key, after));
}

Result<int64_t> TableStore::startChangeLog(const std::string& tableId) {
  // Under the table's write lock: the starting image and the first change
  // after it cannot cross.
  std::lock_guard lock(lockFor(tableId));
  std::string log = keys::changeLog(tableId);
  rocksdb::WriteBatch batch;
  batch.DeleteRange(log, keys::endOf(log));  // what an earlier, unfinished start left
  int64_t since = nowMicros();
  std::string prefix = keys::items(tableId);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string key = it->key().ToString().substr(prefix.size());
    batch.Put(entryKey(tableId, since, changeSequence_++),
              fmt::format("{:08x}", key.size()) + key + it->value().ToString());
  }
  it.reset();
  if (auto s = write(batch); !s.ok()) return keys::storageError(s);
  {
    std::unique_lock guard(indexesMutex_);
    logged_.insert(tableId);
  }
  return since;
}

Result<bool> TableStore::dropChangeLog(const std::string& tableId) {
  std::lock_guard lock(lockFor(tableId));
  {
    std::unique_lock guard(indexesMutex_);
    logged_.erase(tableId);
  }
  std::string log = keys::changeLog(tableId);
  rocksdb::WriteBatch batch;
  batch.DeleteRange(log, keys::endOf(log));
  if (auto s = write(batch); !s.ok()) return keys::storageError(s);
  return true;
}

std::vector<std::string> TableStore::loggedTables() {
  std::shared_lock lock(indexesMutex_);
  return {logged_.begin(), logged_.end()};
}

Result<uint64_t> TableStore::pruneChangeLog(const std::string& tableId, int64_t cutoffMicros) {
  std::string log = keys::changeLog(tableId);
  std::string end = log + fmt::format("{:020}|", cutoffMicros);
  std::map<std::string, std::pair<std::string, bool>> last;  // item key -> (its last entry, a deletion)
  rocksdb::WriteBatch batch;
  uint64_t dropped = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(log); it->Valid() && it->key().starts_with(log) && it->key().compare(end) < 0; it->Next()) {
    std::string value = it->value().ToString();
    size_t length = std::stoul(value.substr(0, 8), nullptr, 16);
    auto& entry = last[value.substr(8, length)];
    if (!entry.first.empty()) {
      batch.Delete(entry.first);  // superseded by this one
      ++dropped;
    }
    entry = {it->key().ToString(), value.size() == 8 + length};
  }
  it.reset();
  for (const auto& [key, entry] : last) {
    if (!entry.second) continue;
    batch.Delete(entry.first);  // deleted before the cutoff: absent, as if never there
    ++dropped;
  }
  if (auto s = write(batch); !s.ok()) return keys::storageError(s);
  return dropped;
}

Result<uint64_t> TableStore::restoreFromChangeLog(const std::string& sourceTableId, const std::string& targetTableId,
                                                  int64_t untilMicros) {
  // The last state of every key up to the moment, replayed in order.
  std::map<std::string, std::string> state;  // item key -> item JSON ("" when deleted)
  std::string log = keys::changeLog(sourceTableId);
  std::string end = log + fmt::format("{:020}|~", untilMicros);
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  for (it->Seek(log); it->Valid() && it->key().starts_with(log) && it->key().compare(end) < 0; it->Next()) {
    std::string value = it->value().ToString();
    size_t length = std::stoul(value.substr(0, 8), nullptr, 16);
    state[value.substr(8, length)] = value.substr(8 + length);
  }
  it.reset();
  db_->ReleaseSnapshot(snapshot);
  std::string target = keys::items(targetTableId);
  rocksdb::WriteBatch batch;
  uint64_t count = 0;
  for (const auto& [key, item] : state) {
    if (item.empty()) continue;
    Json parsed = parseStoredJson(item);
    batch.Put(target + key, item);
    addIndexWrites(batch, targetTableId, key, nullptr, &parsed);
    ++count;
    if (batch.Count() >= 1000) {
      if (auto s = write(batch); !s.ok()) return keys::storageError(s);
      batch.Clear();
    }
  }
  if (auto s = write(batch); !s.ok()) return keys::storageError(s);
  return count;
}

}  // namespace kura::ddb
