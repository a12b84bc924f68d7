// Global tables in the store: the stamps that order a replica's changes
// (last writer wins), and the application of a change another replica made
// (see table_store.h).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <memory>
#include <vector>

#include "common/deferred_syncs.h"
#include "common/json_fast_parse.h"
#include "ddb/store_keys.h"
#include "ddb/stream_format.h"
#include "ddb/table_store.h"

namespace kura::ddb {
namespace {

// The stamp of the change being applied on this thread, when it came from
// another replica (applyReplicated); none for a change a request made here.
thread_local const TableStore::ReplicaStamp* applying = nullptr;

int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "<micros>|<l or r>|<region>"
std::string formatStamp(const TableStore::ReplicaStamp& stamp) {
  return fmt::format("{}|{}|{}", stamp.micros, stamp.replicated ? 'r' : 'l', stamp.region);
}

std::optional<TableStore::ReplicaStamp> parseStamp(const std::string& text) {
  size_t first = text.find('|');
  if (first == std::string::npos || first + 2 >= text.size() || text[first + 2] != '|') return std::nullopt;
  TableStore::ReplicaStamp stamp;
  auto [end, error] = std::from_chars(text.data(), text.data() + first, stamp.micros);
  if (error != std::errc() || end != text.data() + first) return std::nullopt;
  stamp.replicated = text[first + 1] == 'r';
  stamp.region = text.substr(first + 3);
  return stamp;
}

std::string recordStampKey(const std::string& streamId, uint64_t sequence) {
  return keys::recordStamps(streamId) + streams::formatSequence(sequence);
}

}  // namespace

void TableStore::addReplicaStamp(rocksdb::WriteBatch& batch, const ActiveStream& stream, uint64_t sequence,
                                 const std::string& itemKey) {
  ReplicaStamp stamp;
  if (applying != nullptr) {
    stamp = *applying;
    stamp.replicated = true;
  } else {
    stamp.micros = nowMicros();
    stamp.region = stream.region;
  }
  std::string text = formatStamp(stamp);
  batch.Put(recordStampKey(stream.id, sequence), text);
  batch.Put(keys::itemStamps(stream.tableId) + itemKey, text);
}

std::optional<TableStore::ReplicaStamp> TableStore::recordStamp(const std::string& streamId, uint64_t sequence) {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), recordStampKey(streamId, sequence), &value).ok()) return std::nullopt;
  return parseStamp(value);
}

std::optional<TableStore::ReplicaStamp> TableStore::itemStamp(const std::string& tableId, const std::string& key) {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), keys::itemStamps(tableId) + key, &value).ok()) return std::nullopt;
  return parseStamp(value);
}

Result<bool> TableStore::applyReplicated(const std::string& tableId, const std::string& key,
                                         const std::optional<Json>& item, const ReplicaStamp& stamp) {
  std::unique_lock lock(lockFor(tableId));
  // Under the table's write lock: the item's stamp and the item go together.
  if (auto existing = itemStamp(tableId, key); existing && !stamp.after(*existing)) return false;
  auto currentText = getItemText(tableId, key);
  std::optional<Json> current;
  if (currentText) current = parseStoredJson(*currentText);
  const Json* before = current ? &*current : nullptr;
  const Json* after = item ? &*item : nullptr;
  rocksdb::WriteBatch batch;
  std::string afterText;
  if (after) {
    afterText = after->dump();
    batch.Put(keys::items(tableId) + key, afterText);
  } else if (current) {
    batch.Delete(keys::items(tableId) + key);
  }
  addIndexWrites(batch, tableId, key, before, after);
  if (after || current) addChangeLogWrite(batch, tableId, key, after);
  ReplicaStamp marked = stamp;
  marked.replicated = true;
  {
    struct Applying {
      explicit Applying(const ReplicaStamp* stamp) { applying = stamp; }
      ~Applying() { applying = nullptr; }
    } scope(&marked);
    addStreamWrite(batch, tableId, before, after, WriteCause::Request, currentText ? &*currentText : nullptr,
                   after ? &afterText : nullptr);
  }
  // The item's stamp, even when the item is as it was or stays deleted (a
  // deletion's stamp outlives the item, so that an older write arriving
  // later does not bring it back).
  batch.Put(keys::itemStamps(tableId) + key, formatStamp(marked));
  auto status = write(batch, /*sync=*/false);
  if (!status.ok()) return keys::storageError(status);
  lock.unlock();
  if (status = syncWalOrDefer(); !status.ok()) return keys::storageError(status);
  return true;
}

void TableStore::dropItemStamps(const std::string& tableId) {
  rocksdb::WriteBatch batch;
  batch.DeleteRange(keys::itemStamps(tableId), keys::endOf(keys::itemStamps(tableId)));
  write(batch);  // left behind, they are never read again (table ids are not reused)
}

size_t TableStore::pruneTombstones(const std::string& tableId, int64_t cutoffMicros) {
  std::string prefix = keys::itemStamps(tableId);
  std::vector<std::string> old;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto stamp = parseStamp(it->value().ToString());
    if (stamp && stamp->micros < cutoffMicros) old.push_back(it->key().ToString().substr(prefix.size()));
  }
  it.reset();
  size_t pruned = 0;
  for (const std::string& key : old) {
    // Under the table's write lock: the item may have come back meanwhile.
    std::lock_guard lock(lockFor(tableId));
    auto stamp = itemStamp(tableId, key);
    if (!stamp || stamp->micros >= cutoffMicros || getItemText(tableId, key)) continue;
    rocksdb::WriteBatch batch;
    batch.Delete(prefix + key);
    if (write(batch, /*sync=*/false).ok()) ++pruned;
  }
  return pruned;
}

}  // namespace kura::ddb
