#include "ddb/table_store.h"

#include <sys/statvfs.h>

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/transaction_log.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "common/json_fast_parse.h"
#include "common/json_text.h"
#include "common/deferred_syncs.h"
#include "common/store_health.h"
#include "ddb/rocksdb_options.h"
#include "ddb/store_keys.h"

namespace kura::ddb {
namespace {

using keys::storageError;
std::string metaKey(const TableRef& ref) { return keys::meta(ref); }
std::string itemPrefix(const std::string& tableId) { return keys::items(tableId); }
std::string indexPrefix(const std::string& tableId, const std::string& index) { return keys::index(tableId, index); }
std::string allIndexesPrefix(const std::string& tableId) { return keys::allIndexes(tableId); }
std::string changeLogPrefix(const std::string& tableId) { return keys::changeLog(tableId); }

bool isKeyScalar(const Json& value) {
  return value.is_object() && value.size() == 1 && (value.contains("S") || value.contains("N") || value.contains("B"));
}

std::string lengthPrefixed(const std::string& bytes) { return fmt::format("{:08x}", bytes.size()) + bytes; }

}  // namespace

namespace {

constexpr const char* kStoreName = "dynamodb";

void markFailing(const rocksdb::Status& status) {
  StoreHealth::global().failing(kStoreName, status.IsNoSpace() ? std::string("disk full: ") + kStoreName
                                                               : std::string("I/O error: ") + kStoreName + ": " +
                                                                     status.ToString());
}

}  // namespace

void WriteStop::stop(const rocksdb::Status& why) {
  noSpace.store(why.IsNoSpace());
  stopped.store(true);
}

rocksdb::Status WriteStop::status() const {
  static constexpr const char* kStopped = "the DynamoDB store is stopped after an I/O error";
  return noSpace.load() ? rocksdb::Status::NoSpace(kStopped) : rocksdb::Status::IOError(kStopped);
}

TableStore::TableStore(rocksdb::DB* db, std::shared_ptr<WriteStop> stopped)
    : db_(db),
      stopped_(std::move(stopped)),
      walFiles_(db->GetOptions().wal_dir.empty() ? db->GetName() : db->GetOptions().wal_dir),
      memtableBytes_(db->GetOptions().write_buffer_size),
      writeBuffers_(db->GetOptions().write_buffer_manager),
      walSync_([this]() -> std::string {
        // The writes it covers are in the WAL's buffer (write() leaves the
        // flush to their sync): flushed to the file in one write, never on
        // a stopped store and never beside a write (walMutex_ says why),
        // then synced beside the writes that come meanwhile (wal_files.h).
        uint64_t current = 0;
        {
          std::lock_guard lock(walMutex_);
          if (stopped_->load()) return stopped_->status().ToString();
          rocksdb::Status status = db_->FlushWAL(/*sync=*/false);
          std::unique_ptr<rocksdb::LogFile> file;
          if (status.ok()) status = db_->GetCurrentWalFile(&file);
          if (!status.ok()) {
            if (status.IsIOError()) stopWrites(status);
            return status.ToString();
          }
          current = file->LogNumber();
        }
        std::string error = walFiles_.syncThrough(current);
        if (!error.empty()) stopWrites(rocksdb::Status::IOError(error));
        return error;
      }) {
  // While the store is stopped, health's probe resumes it: the store heals
  // when space returns, with or without a write.
  // At most four times a second: /_kura/health is answered to anyone, and
  // the store's own writes ask for it too (StoreHealth::kick).
  StoreHealth::global().setProbe(kStoreName, [this] { return resume(std::chrono::milliseconds(250)); });
}

TableStore::~TableStore() {
  // A recovery still under way (a Resume() that never ended: store_health.h)
  // ends once RocksDB is shutting down; removeProbe waits for it.
  rocksdb::CancelAllBackgroundWork(db_.get(), /*wait=*/false);
  StoreHealth::global().removeProbe(kStoreName);
  StoreHealth::global().recovered(kStoreName);
}

Result<std::unique_ptr<TableStore>> TableStore::open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // RocksDB's own info LOGs, which Kura no longer keeps (rocksdb_options.h):
  // an older Kura left up to a thousand, in the space a full disk needs.
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name == "LOG" || name.starts_with("LOG.old.")) std::filesystem::remove(entry.path(), ec);
  }
  // Set from RocksDB's threads when a flush or compaction stops the store.
  auto stopped = std::make_shared<WriteStop>();
  rocksdb::Options options = storeOptions(kStoreName, [stopped](const rocksdb::Status& error) {
    if (!error.IsIOError()) return;
    stopped->stop(error);
    markFailing(error);
  });
  options.IncreaseParallelism(2);
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, dir.string(), &db);
  if (!status.ok()) return ApiError::internal("cannot open the DynamoDB store: " + status.ToString());
  std::unique_ptr<TableStore> store(new TableStore(db, std::move(stopped)));
  std::string counter;
  if (db->Get(rocksdb::ReadOptions(), "c|next-table-id", &counter).ok()) store->nextTableId_ = std::stoull(counter);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  store->loadStreamSecret();
  for (it->Seek("m|"); it->Valid() && it->key().starts_with("m|"); it->Next()) {
    store->rememberIndexes(parseStoredJson(it->value().ToStringView()));
  }
  it.reset();
  store->replayCarried();
  return store;
}

rocksdb::Status TableStore::write(rocksdb::WriteBatch& batch, bool sync) {
  // A stopped store's recovery runs on the health probe's thread, never on
  // this one: RocksDB 7.8's Resume() can wait forever (store_health.h).
  if (stopped_->load(std::memory_order_relaxed)) StoreHealth::global().kick(kStoreName);
  rocksdb::Status status;
  {
    std::lock_guard lock(walMutex_);
    if (stopped_->load()) return stopped_->status();
    if (batch.GetDataSize() + (1u << 20) > kWalBufferBytes) {
      // Bigger than the WAL's buffer: RocksDB would write it to the WAL
      // file inside Write(), before the memtable insert. Failing there
      // (a full disk) while the memtable is empty (right after a recovery,
      // or a switch of memtables in this write) leaves the failed WAL in
      // use after Resume(), which switches only when it has something to
      // flush, and the next write aborts (RocksDB 7.8). So it bypasses the
      // WAL and is flushed to a synced table before it counts as made; the
      // WAL's buffer is flushed first so that the flush's switch of WAL
      // has nothing to write (a switch that fails stops the store until a
      // restart: RocksDB rates it fatal).
      rocksdb::WriteOptions unlogged;
      unlogged.disableWAL = true;
      status = db_->Write(unlogged, &batch);
      if (status.ok()) status = flushMemtables();
    } else {
      // A switch of memtable writes the WAL's buffer to the old WAL first,
      // and RocksDB 7.8 rates a failure there fatal: on a full disk the
      // store would take no write until a restart. Where this write may
      // switch, the buffer is written first, here, where a failure is the
      // kind Resume() recovers from (as the sync's FlushWAL()).
      if (switchMayCome(batch)) status = db_->FlushWAL(/*sync=*/false);
      if (status.ok()) status = db_->Write(rocksdb::WriteOptions(), &batch);
    }
    if (!status.ok() && status.IsIOError()) stopWrites(status);
  }
  // The write is in the memtable: the WAL is flushed to the kernel, then
  // synced, before the write counts as made, so that every acknowledged
  // write survives a power loss.
  //
  // Why not WriteOptions::sync? RocksDB's write groups do share one sync
  // among concurrent sync writers (the group's leader writes every batch
  // of the group to the WAL and syncs once, DBImpl::WriteToWAL), but they
  // sync before the memtable insert: a sync that fails on a full disk
  // leaves the write out of the memtable, and with RocksDB 7.8 a WAL that
  // failed while the memtable is empty stays in use after Resume() and the
  // next write asserts (rocksdb_options.h). And RocksDB's SyncWAL() does
  // not share: concurrent callers sync one after the other. So the WAL is
  // flushed after the insert, and synced by walSync_, which runs one
  // FlushWAL() and one fdatasync (wal_files.h) for every writer waiting:
  // one write(2) for all the writes a sync covers, not one each; a flush
  // that fails fails the sync, and the calls it covers.
  if (!status.ok() || !sync) return status;
  return syncWal();
}

rocksdb::Status TableStore::put(const std::string& key, const std::string& value, bool sync) {
  rocksdb::WriteBatch batch;
  batch.Put(key, value);
  return write(batch, sync);
}

rocksdb::Status TableStore::syncWal() {
  std::string error = walSync_.syncCovering();
  return error.empty() ? rocksdb::Status::OK() : syncFailure(error);
}

rocksdb::Status TableStore::syncFailure(const std::string& error) {
  rocksdb::Status status = error.find("No space left") != std::string::npos ? rocksdb::Status::NoSpace(error)
                                                                            : rocksdb::Status::IOError(error);
  stopWrites(status);
  return status;
}

void TableStore::stopWrites(const rocksdb::Status& status) {
  stopped_->stop(status);
  markFailing(status);
}

rocksdb::Status TableStore::syncWalOrDefer() {
  DeferredSyncs* deferred = DeferredSyncs::current();
  if (deferred == nullptr) return syncWal();
  // Started at the call's end, after its trail record, which the WAL
  // carries too (carry): one sync covers both.
  deferred->deferStart(walSync_, [this](const std::string& error) {
    syncFailure(error);
    return error;
  });
  deferred->setCarrier(this);
  return rocksdb::Status::OK();
}

namespace {
constexpr std::string_view kCarriedPrefix = "o|";
std::string carriedKey(uint64_t id) { return fmt::format("o|{:016x}", id); }
}  // namespace

uint64_t TableStore::carry(std::string_view record, std::string_view eventId, uint64_t horizon) {
  DeferredSyncs* deferred = DeferredSyncs::current();
  if (deferred == nullptr || stopped_->load(std::memory_order_relaxed)) return 0;
  uint64_t id = nextCarried_.fetch_add(1);
  // <horizon> TAB <eventID> LF <record> (trail_carrier.h)
  std::string value = fmt::format("{}\t{}\n", horizon, eventId);
  value.append(record);
  rocksdb::WriteBatch batch;
  batch.Put(carriedKey(id), value);
  if (!write(batch, /*sync=*/false).ok()) return 0;
  // The call's WAL sync starts after this write (it is left for the call's
  // end, and this makes sure of it).
  deferred->deferStart(walSync_, [this](const std::string& error) {
    syncFailure(error);
    return error;
  });
  return id;
}

void TableStore::settled(const std::vector<uint64_t>& ids) {
  if (ids.empty() || stopped_->load(std::memory_order_relaxed)) return;  // kept: the next start finds them in the trail
  // Each was put once: a single delete, which compaction drops with it.
  rocksdb::WriteBatch batch;
  for (uint64_t id : ids) batch.SingleDelete(carriedKey(id));
  if (!write(batch, /*sync=*/false).ok()) return;
  // Synced soon, on the WAL's own sync thread (nobody waits for it): a power
  // loss brings back only the copies of the last few milliseconds, and the
  // next start finds those in the trail (its horizon search).
  walSync_.start();
}

std::optional<std::string> TableStore::carriedRecord(uint64_t id) {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), carriedKey(id), &value).ok()) return std::nullopt;
  return parseCarried(value).text;
}

CarriedRecord TableStore::parseCarried(const std::string& value) {
  CarriedRecord record;
  size_t tab = value.find('\t');
  size_t newline = value.find('\n');
  if (!value.empty() && value[0] != '{' && tab != std::string::npos && newline != std::string::npos && tab < newline) {
    record.horizon = std::strtoull(value.c_str(), nullptr, 10);
    record.eventId = value.substr(tab + 1, newline - tab - 1);
    record.text = value.substr(newline + 1);
  } else {
    // Carried before horizons were kept: the trail reads all it has.
    record.text = value;
    record.eventId = std::string(trailEventId(record.text));
  }
  return record;
}

void TableStore::replayCarried() {
  std::vector<CarriedRecord> records;
  std::vector<std::string> keys;
  uint64_t last = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(rocksdb::Slice(kCarriedPrefix.data(), kCarriedPrefix.size()));
       it->Valid() && it->key().starts_with(rocksdb::Slice(kCarriedPrefix.data(), kCarriedPrefix.size())); it->Next()) {
    records.push_back(parseCarried(it->value().ToString()));
    keys.push_back(it->key().ToString());
    last = std::stoull(keys.back().substr(kCarriedPrefix.size()), nullptr, 16);
  }
  it.reset();
  // Ids go on past any an earlier run used: microseconds since the epoch
  // at start, or past the last still stored.
  uint64_t now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  nextCarried_ = std::max(now, last + 1);
  if (records.empty()) return;
  CarriedRecordSink sink = carriedRecordSink();
  if (!sink) return;  // no trail in this process (a tool): kept for the server
  try {
    sink(records);
  } catch (const std::exception& error) {
    spdlog::error("msg=\"cannot append the trail records the DynamoDB store carried; kept for the next start\" "
                  "records={} error=\"{}\"",
                  records.size(), error.what());
    return;
  }
  rocksdb::WriteBatch batch;
  for (const std::string& key : keys) batch.SingleDelete(key);
  if (auto status = write(batch); !status.ok()) {
    // Appended again at the next start, unless the trail has them then.
    spdlog::warn("msg=\"cannot drop the carried trail records\" error=\"{}\"", status.ToString());
  }
}

rocksdb::Status TableStore::flushMemtables() {
  // The WAL's buffer is written first (writes may have come since the last
  // sync's flush): a switch of WAL whose write of the buffer fails is fatal
  // to RocksDB until a restart.
  rocksdb::Status status = db_->FlushWAL(/*sync=*/false);
  rocksdb::FlushOptions flush;
  flush.allow_write_stall = true;  // as Resume()'s own: a stall must not hold the caller
  if (status.ok()) status = db_->Flush(flush);
  return status;
}

bool TableStore::switchMayCome(const rocksdb::WriteBatch& batch) {
  // RocksDB switches at the write after the one that filled the memtable
  // (to about 90% of write_buffer_size, MemTable::ShouldFlushNow), or when
  // the shared budget says so: three quarters, with room for this batch,
  // leaves a margin for the memtable's own overhead.
  uint64_t active = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kCurSizeActiveMemTable, &active);
  return active + 2 * batch.GetDataSize() >= memtableBytes_ / 4 * 3 || (writeBuffers_ && writeBuffers_->ShouldFlush());
}

bool TableStore::resume(std::chrono::milliseconds minInterval) {
  std::unique_lock lock(resumeMutex_, std::try_to_lock);
  if (!lock.owns_lock()) return false;  // another thread is at it
  if (!stopped_->load()) return true;
  auto now = std::chrono::steady_clock::now();
  // A Resume flushes memtables: tried at most once per interval, whoever asks.
  if (now - lastResume_ < minInterval) return false;
  lastResume_ = now;
  // RocksDB 7.8's Resume() can wait forever when its recovery's flush fails
  // again (seen with a disk still full: the flush is not run again, and the
  // caller, a call's thread holding its table's lock, never returns). It is
  // tried only once there is room for that flush: the memtables twice over
  // and 8 MiB besides (RocksDB's own recovery, off here, waits for 64 MB).
  uint64_t memtables = 0;
  db_->GetIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  struct statvfs disk {};
  if (::statvfs(db_->GetName().c_str(), &disk) == 0 &&
      static_cast<uint64_t>(disk.f_bavail) * disk.f_frsize < 2 * memtables + (8u << 20)) {
    return false;
  }
  // No write or sync touches the WAL while the store is stopped (each
  // checks stopped_ under walMutex_ first), and stopped_ is cleared last:
  // Resume() runs without walMutex_. (Holding it, a Resume() that never
  // returned, which RocksDB 7.8 can do when its recovery's flush is not
  // run again after a failure, held every write and sync of the store, and
  // with them the threads that serve HTTP.) After a failed sync of Kura's
  // own (wal_files.h) RocksDB saw no error and Resume() does nothing: the
  // flush of the memtables makes durable what that sync may not have (the
  // kernel may drop the pages it failed to write).
  rocksdb::Status status = db_->Resume();
  if (status.ok()) status = flushMemtables();
  if (!status.ok()) return false;
  stopped_->stopped.store(false);
  StoreHealth::global().recovered(kStoreName);
  spdlog::info("msg=\"the DynamoDB store writes again\"");
  return true;
}

std::string TableStore::encodeKey(const Json& hash, const Json* range) {
  std::string key = lengthPrefixed(keyBytes(hash));
  key += '|';
  if (range != nullptr) key += lengthPrefixed(keyBytes(*range));
  return key;
}

std::string TableStore::hashPrefix(const Json& hash) { return lengthPrefixed(keyBytes(hash)) + "|"; }

std::mutex& TableStore::lockFor(const std::string& tableId) {
  std::lock_guard lock(locksMutex_);
  auto& entry = tableLocks_[tableId];
  if (!entry) entry = std::make_unique<std::mutex>();
  return *entry;
}

Result<Json> TableStore::createTable(const TableRef& ref, Json description, const AlsoWrite& alsoWrite) {
  std::lock_guard lock(metaMutex_);
  std::string existing;
  if (db_->Get(rocksdb::ReadOptions(), metaKey(ref), &existing).ok()) {
    return ApiError::sender("ResourceInUseException", "Table already exists: " + ref.name);
  }
  std::string id = fmt::format("{:016x}", nextTableId_++);
  description["_id"] = id;
  rocksdb::WriteBatch batch;
  batch.Put(metaKey(ref), description.dump());
  batch.Put("c|next-table-id", std::to_string(nextTableId_));
  if (alsoWrite) {
    for (const auto& [key, value] : alsoWrite(description)) batch.Put(key, value);
  }
  auto status = write(batch);
  if (!status.ok()) return storageError(status);
  rememberIndexes(description);
  remember(ref, &description);
  return description;
}

std::optional<Json> TableStore::table(const TableRef& ref) {
  auto description = tableShared(ref);
  if (!description) return std::nullopt;
  return *description;
}

std::shared_ptr<const Json> TableStore::tableShared(const TableRef& ref) {
  std::string key = metaKey(ref);
  uint64_t seen = 0;
  {
    std::shared_lock lock(descriptionsMutex_);
    auto found = descriptions_.find(key);
    if (found != descriptions_.end()) return found->second;
    seen = descriptionsChanged_;
  }
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), key, &value).ok()) return nullptr;
  auto description = std::make_shared<const Json>(parseStoredJson(value));
  std::unique_lock lock(descriptionsMutex_);
  // Cached only if no table changed meanwhile: this read may be older than
  // a change (a deletion above all) already made.
  if (descriptionsChanged_ == seen) descriptions_.emplace(key, description);
  return description;
}

void TableStore::remember(const TableRef& ref, const Json* description) {
  std::unique_lock lock(descriptionsMutex_);
  ++descriptionsChanged_;
  if (description == nullptr) {
    descriptions_.erase(metaKey(ref));
  } else {
    descriptions_[metaKey(ref)] = std::make_shared<const Json>(*description);
  }
}

Result<Json> TableStore::updateTable(const TableRef& ref, const std::function<std::optional<ApiError>(Json&)>& change,
                                     const AlsoWrite& alsoWrite) {
  std::lock_guard lock(metaMutex_);
  auto description = table(ref);
  if (!description) return ApiError::sender("ResourceNotFoundException", "Requested resource not found: Table: " + ref.name + " not found");
  std::unique_lock<std::mutex> tableLock;
  if (alsoWrite) tableLock = std::unique_lock(lockFor((*description)["_id"]));
  if (auto error = change(*description)) return *error;
  rocksdb::WriteBatch batch;
  batch.Put(metaKey(ref), description->dump());
  if (alsoWrite) {
    for (const auto& [key, value] : alsoWrite(*description)) batch.Put(key, value);
  }
  auto status = write(batch);
  if (!status.ok()) return storageError(status);
  rememberIndexes(*description);
  remember(ref, &*description);
  return *description;
}

Result<Json> TableStore::deleteTable(const TableRef& ref, const AlsoWrite& alsoWrite) {
  std::lock_guard lock(metaMutex_);
  auto description = table(ref);
  if (!description) return ApiError::sender("ResourceNotFoundException", "Requested resource not found: Table: " + ref.name + " not found");
  std::string id = (*description)["_id"];
  rocksdb::WriteBatch batch;
  batch.Delete(metaKey(ref));
  std::string prefix = itemPrefix(id);
  batch.DeleteRange(prefix, keys::endOf(prefix));
  std::string indexes = allIndexesPrefix(id);
  batch.DeleteRange(indexes, keys::endOf(indexes));
  std::string log = changeLogPrefix(id);
  batch.DeleteRange(log, keys::endOf(log));
  // Under the table's write lock: its stream is closed at its last record.
  std::unique_lock tableLock(lockFor(id));
  if (alsoWrite) {
    for (const auto& [key, value] : alsoWrite(*description)) batch.Put(key, value);
  }
  auto status = write(batch);
  if (!status.ok()) return storageError(status);
  remember(ref, nullptr);
  {
    std::unique_lock lock(indexesMutex_);
    indexes_.erase(id);
    logged_.erase(id);
    streams_.erase(id);
  }
  return *description;
}

std::vector<std::string> TableStore::tableNames(const std::string& account, const std::string& region,
                                               const std::string& after, size_t limit) {
  std::vector<std::string> names;
  std::string prefix = "m|" + account + "|" + region + "|";
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix + after); it->Valid() && it->key().starts_with(prefix) && names.size() < limit; it->Next()) {
    std::string name = it->key().ToString().substr(prefix.size());
    if (name != after) names.push_back(std::move(name));
  }
  return names;
}

std::optional<Json> TableStore::getItem(const std::string& tableId, const std::string& key) {
  auto text = getItemText(tableId, key);
  if (!text) return std::nullopt;
  return parseStoredJson(*text);
}

std::optional<std::string> TableStore::getItemText(const std::string& tableId, const std::string& key) {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), itemPrefix(tableId) + key, &value).ok()) return std::nullopt;
  return value;
}

Result<std::optional<Json>> TableStore::writeItem(const std::string& tableId, const std::string& key,
                                                  const std::function<Decision(const Json* current)>& decide,
                                                  WriteCause cause) {
  std::unique_lock lock(lockFor(tableId));
  auto currentText = getItemText(tableId, key);
  std::optional<Json> current;
  if (currentText) current = parseStoredJson(*currentText);
  const Json* before = current ? &*current : nullptr;
  auto decision = decide(before);
  if (!decision) return decision.error();
  const Json* after = *decision;
  if (after == before && before != nullptr) return current;  // left as it is
  rocksdb::WriteBatch batch;
  std::string afterText;
  if (after) {
    appendJson(afterText, *after);  // dump()'s bytes, without decoding each character
    batch.Put(itemPrefix(tableId) + key, afterText);
  } else if (current) {
    batch.Delete(itemPrefix(tableId) + key);
  }
  addIndexWrites(batch, tableId, key, before, after);
  if (after || current) addChangeLogWrite(batch, tableId, key, after);
  addStreamWrite(batch, tableId, before, after, cause, currentText ? &*currentText : nullptr,
                 after ? &afterText : nullptr);
  auto status = write(batch, /*sync=*/false);
  if (!status.ok()) return storageError(status);
  // The WAL is synced after the table's lock is released: writers of one
  // table share a sync too. A read meanwhile may see the write before its
  // sync ends; the write is answered only after it (docs/operations.md).
  lock.unlock();
  if (status = syncWalOrDefer(); !status.ok()) return storageError(status);
  return current;
}

Result<bool> TableStore::rewriteItemText(
    const std::string& tableId, const std::string& key,
    const std::function<std::optional<std::string>(const std::string& current)>& rewrite) {
  std::unique_lock lock(lockFor(tableId));
  // Under the write lock: an index or the change log starts under it too.
  {
    std::shared_lock indexesLock(indexesMutex_);
    auto indexes = indexes_.find(tableId);
    if ((indexes != indexes_.end() && !indexes->second.empty()) || logged_.count(tableId) > 0) return false;
  }
  auto current = getItemText(tableId, key);
  if (!current) return false;
  auto text = rewrite(*current);
  if (!text) return false;
  rocksdb::WriteBatch batch;
  batch.Put(itemPrefix(tableId) + key, *text);
  if (!addStreamRewrite(batch, tableId, key, *current, *text)) return false;
  auto status = write(batch, /*sync=*/false);
  if (!status.ok()) return storageError(status);
  lock.unlock();  // as in writeItem
  if (status = syncWalOrDefer(); !status.ok()) return storageError(status);
  return true;
}

Result<bool> TableStore::writeBatch(const std::string& tableId,
                                    const std::vector<std::pair<std::string, std::optional<Json>>>& writes) {
  std::unique_lock lock(lockFor(tableId));
  rocksdb::WriteBatch batch;
  bool indexed = !indexesFor(tableId).empty();
  bool streamed = activeStream(tableId) != nullptr;
  for (const auto& [key, item] : writes) {
    if (indexed || streamed) {
      auto before = getItem(tableId, key);
      if (indexed) addIndexWrites(batch, tableId, key, before ? &*before : nullptr, item ? &*item : nullptr);
      if (streamed) addStreamWrite(batch, tableId, before ? &*before : nullptr, item ? &*item : nullptr);
    }
    if (item) batch.Put(itemPrefix(tableId) + key, item->dump());
    else batch.Delete(itemPrefix(tableId) + key);
    addChangeLogWrite(batch, tableId, key, item ? &*item : nullptr);
  }
  auto status = write(batch, /*sync=*/false);
  if (!status.ok()) return storageError(status);
  lock.unlock();  // as in writeItem
  if (status = syncWalOrDefer(); !status.ok()) return storageError(status);
  return true;
}

Result<bool> TableStore::transact(
    const std::vector<TransactionItem>& items,
    const std::function<Result<std::vector<std::pair<bool, std::optional<Json>>>>(
        const std::vector<std::optional<Json>>& current)>& decide) {
  std::vector<std::string> tables;
  for (const auto& item : items) tables.push_back(item.tableId);
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (const auto& table : tables) locks.emplace_back(lockFor(table));
  std::vector<std::optional<Json>> current;
  for (const auto& item : items) current.push_back(getItem(item.tableId, item.key));
  auto writes = decide(current);
  if (!writes) return writes.error();
  rocksdb::WriteBatch batch;
  for (size_t i = 0; i < items.size() && i < writes->size(); ++i) {
    const auto& [write, value] = (*writes)[i];
    if (!write) continue;
    std::string key = itemPrefix(items[i].tableId) + items[i].key;
    if (value) batch.Put(key, value->dump());
    else batch.Delete(key);
    addIndexWrites(batch, items[i].tableId, items[i].key, current[i] ? &*current[i] : nullptr, value ? &*value : nullptr);
    addChangeLogWrite(batch, items[i].tableId, items[i].key, value ? &*value : nullptr);
    addStreamWrite(batch, items[i].tableId, current[i] ? &*current[i] : nullptr, value ? &*value : nullptr);
  }
  auto status = write(batch, /*sync=*/false);
  if (!status.ok()) return storageError(status);
  locks.clear();  // as in writeItem
  if (status = syncWalOrDefer(); !status.ok()) return storageError(status);
  return true;
}

void TableStore::scanItems(const std::string& tableId, const std::string& keyPrefix, const std::string& startAfter,
                           const std::function<bool(const std::string&, Json)>& visit) {
  std::string prefix = itemPrefix(tableId) + keyPrefix;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  if (startAfter.empty()) {
    it->Seek(prefix);
  } else {
    std::string from = itemPrefix(tableId) + startAfter;
    it->Seek(from);
    if (it->Valid() && it->key() == from) it->Next();
  }
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string key = it->key().ToString().substr(itemPrefix(tableId).size());
    if (!visit(key, parseStoredJson(it->value().ToStringView()))) break;
  }
}

uint64_t TableStore::countItems(const std::string& tableId, uint64_t& bytes) {
  uint64_t count = 0;
  bytes = 0;
  std::string prefix = itemPrefix(tableId);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ++count;
    bytes += it->value().size();
  }
  return count;
}

Result<uint64_t> TableStore::exportTable(const std::filesystem::path& dir, const std::string& tableId) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir.parent_path(), ec);
  rocksdb::Options options = storeOptions("dynamodb backup");
  options.error_if_exists = true;
  options.manual_wal_flush = false;  // flushed whole at the end
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::Open(options, dir.string(), &raw);
  if (!status.ok()) return storageError(status);
  std::unique_ptr<rocksdb::DB> out(raw);
  // One consistent view of the table, however writes go on meanwhile.
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::string prefix = itemPrefix(tableId);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  rocksdb::WriteBatch batch;
  uint64_t count = 0;
  rocksdb::Status written;
  for (it->Seek(prefix); written.ok() && it->Valid() && it->key().starts_with(prefix); it->Next()) {
    batch.Put(it->key(), it->value());
    ++count;
    if (batch.Count() >= 1000) {
      written = out->Write(rocksdb::WriteOptions(), &batch);
      batch.Clear();
    }
  }
  it.reset();
  db_->ReleaseSnapshot(snapshot);
  if (!written.ok()) return storageError(written);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (auto s = out->Write(sync, &batch); !s.ok()) return storageError(s);
  if (auto s = out->Flush(rocksdb::FlushOptions()); !s.ok()) return storageError(s);
  return count;
}

Result<uint64_t> TableStore::copyFromCheckpoint(const std::filesystem::path& dir, const std::string& sourceTableId,
                                                const std::string& targetTableId) {
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::OpenForReadOnly(storeOptions("dynamodb backup"), dir.string(), &raw);
  if (!status.ok()) return ApiError::internal("the backup cannot be read: " + status.ToString());
  std::unique_ptr<rocksdb::DB> backup(raw);
  std::string source = itemPrefix(sourceTableId), target = itemPrefix(targetTableId);
  std::unique_ptr<rocksdb::Iterator> it(backup->NewIterator(rocksdb::ReadOptions()));
  rocksdb::WriteBatch batch;
  uint64_t count = 0;
  bool indexed = !indexesFor(targetTableId).empty();
  for (it->Seek(source); it->Valid() && it->key().starts_with(source); it->Next()) {
    std::string itemKey = it->key().ToString().substr(source.size());
    batch.Put(target + itemKey, it->value());
    if (indexed) {
      Json item = parseStoredJson(it->value().ToStringView());
      addIndexWrites(batch, targetTableId, itemKey, nullptr, &item);
    }
    ++count;
    if (batch.Count() >= 1000) {
      if (auto s = write(batch); !s.ok()) return storageError(s);
      batch.Clear();
    }
  }
  if (auto s = write(batch); !s.ok()) return storageError(s);
  return count;
}

std::vector<IndexDef> indexesOf(const Json& description) {
  std::vector<IndexDef> out;
  for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    for (const Json& index : description.value(kind, Json::array())) {
      IndexDef def{index.value("IndexName", ""), "", ""};
      for (const Json& element : index.value("KeySchema", Json::array())) {
        (element["KeyType"] == "HASH" ? def.hashAttr : def.rangeAttr) = element["AttributeName"];
      }
      out.push_back(std::move(def));
    }
  }
  return out;
}

void TableStore::rememberIndexes(const Json& description) {
  if (!description.contains("_id")) return;
  std::unique_lock lock(indexesMutex_);
  std::string id = description["_id"].get<std::string>();
  indexes_[id] = indexesOf(description);
  // Point-in-time recovery on: its changes are logged.
  if (description.contains("_pitr") && description["_pitr"].value("Enabled", false)) {
    logged_.insert(id);
  } else {
    logged_.erase(id);
  }
  rememberStream(id, description);
}

std::vector<IndexDef> TableStore::indexesFor(const std::string& tableId) {
  std::shared_lock lock(indexesMutex_);
  auto it = indexes_.find(tableId);
  return it == indexes_.end() ? std::vector<IndexDef>{} : it->second;
}

std::optional<std::string> TableStore::indexEntryKey(const IndexDef& index, const Json& item,
                                                     const std::string& itemKey) {
  if (!item.contains(index.hashAttr) || !isKeyScalar(item[index.hashAttr])) return std::nullopt;
  const Json* range = nullptr;
  if (!index.rangeAttr.empty()) {
    if (!item.contains(index.rangeAttr) || !isKeyScalar(item[index.rangeAttr])) return std::nullopt;
    range = &item[index.rangeAttr];
  }
  return encodeKey(item[index.hashAttr], range) + "|" + itemKey;
}

void TableStore::addIndexWrites(rocksdb::WriteBatch& batch, const std::string& tableId, const std::string& key,
                                const Json* before, const Json* after) {
  for (const IndexDef& index : indexesFor(tableId)) {
    std::optional<std::string> old = before ? indexEntryKey(index, *before, key) : std::nullopt;
    std::optional<std::string> now = after ? indexEntryKey(index, *after, key) : std::nullopt;
    if (old && old != now) batch.Delete(indexPrefix(tableId, index.name) + *old);
    if (now) {
      std::string text;
      appendJson(text, *after);
      batch.Put(indexPrefix(tableId, index.name) + *now, text);
    }
  }
}

void TableStore::scanIndex(const std::string& tableId, const std::string& index, const std::string& keyPrefix,
                           const std::string& startAfter,
                           const std::function<bool(const std::string& key, Json item)>& visit) {
  std::string base = indexPrefix(tableId, index);
  std::string prefix = base + keyPrefix;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  if (startAfter.empty()) {
    it->Seek(prefix);
  } else {
    it->Seek(base + startAfter);
    if (it->Valid() && it->key() == base + startAfter) it->Next();
  }
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!visit(it->key().ToString().substr(base.size()), parseStoredJson(it->value().ToStringView()))) break;
  }
}

uint64_t TableStore::countIndex(const std::string& tableId, const std::string& index, uint64_t& bytes) {
  uint64_t count = 0;
  bytes = 0;
  std::string prefix = indexPrefix(tableId, index);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ++count;
    bytes += it->value().size();
  }
  return count;
}

Result<bool> TableStore::buildIndex(const std::string& tableId, const IndexDef& index) {
  // Under the table's write lock: no item changes while the index fills.
  std::lock_guard lock(lockFor(tableId));
  rocksdb::WriteBatch batch;
  std::string prefix = itemPrefix(tableId);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Json item = parseStoredJson(it->value().ToStringView());
    if (auto entry = indexEntryKey(index, item, it->key().ToString().substr(prefix.size()))) {
      batch.Put(indexPrefix(tableId, index.name) + *entry, it->value());
    }
  }
  auto status = write(batch);
  if (!status.ok()) return storageError(status);
  return true;
}

Result<bool> TableStore::dropIndex(const std::string& tableId, const std::string& index) {
  std::string prefix = indexPrefix(tableId, index);
  rocksdb::WriteBatch batch;
  batch.DeleteRange(prefix, keys::endOf(prefix));
  auto status = write(batch);
  if (!status.ok()) return storageError(status);
  return true;
}

void TableStore::putMeta(const std::string& key, const Json& value) {
  // Callers answer the call after this: a write that failed must fail it.
  if (auto status = put(key, value.dump()); !status.ok()) {
    throw std::runtime_error(storageError(status).message);
  }
}

std::optional<Json> TableStore::getMeta(const std::string& key) {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), key, &value).ok()) return std::nullopt;
  return parseStoredJson(value);
}

void TableStore::deleteMeta(const std::string& key) {
  rocksdb::WriteBatch batch;
  batch.Delete(key);
  write(batch);  // a mark left behind is deleted the next time
}

void TableStore::listMeta(const std::string& prefix, const std::function<void(const std::string&, Json)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    visit(it->key().ToString(), parseStoredJson(it->value().ToStringView()));
  }
}

StoreMemory TableStore::memory() const { return storeMemory(*db_); }

}  // namespace kura::ddb
