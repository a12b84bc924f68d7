#pragma once
// DynamoDB tables on one embedded RocksDB (<data-dir>/dynamodb). Keys:
//   m|<account>|<region>|<table>   table description (JSON)
//   i|<table id>|<hash>|<range>    item (JSON), hash and range as length-prefixed bytes
//   x|<table id>|<index>|<index hash>|<index range>|<item key>
//                                  a secondary index entry: the item (JSON)
//   b|<backup arn>                 backup description (JSON)
//   o|<16 hex digits>              a trail record the WAL carries until the
//                                  trail's own file has it synced:
//                                  <horizon> TAB <eventID> LF <event JSON>
//                                  (common/trail_carrier.h)
// Index entries are written in the same atomic batch as their item.
// Every write goes through RocksDB's WAL and is synced before it returns
// (group commit: concurrent writers share one fdatasync): an acknowledged
// write survives the death of the server and a power loss. Writes to a
// table are serialized so that a condition check and the write it guards
// are one atomic step.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"
#include "common/group_commit.h"
#include "common/trail_carrier.h"
#include "ddb/attribute_value.h"
#include "ddb/store_memory.h"
#include "ddb/wal_files.h"

namespace rocksdb {
class DB;
class Status;
class WriteBatch;
class WriteBufferManager;
}

namespace kura::ddb {

struct TableRef {
  std::string account, region, name;
};

// Who made an item change: a request, or Time to Live's background
// deletion (which a stream record marks as the service's).
enum class WriteCause { Request, TimeToLive };
// Whether an error stopped the store's writes, and whether it was a full
// disk (set from RocksDB's threads too: a flush or compaction that failed).
struct WriteStop {
  std::atomic<bool> stopped{false};
  std::atomic<bool> noSpace{false};
  bool load(std::memory_order order = std::memory_order_seq_cst) const { return stopped.load(order); }
  void stop(const rocksdb::Status& why);
  // What a write to the stopped store answers.
  rocksdb::Status status() const;
};

// Further keys (and values) written in the same atomic batch as a table's
// description, given the description as it is written (with its "_id").
using AlsoWrite = std::function<std::vector<std::pair<std::string, std::string>>(const Json& description)>;

// A secondary index (global or local) as the store maintains it.
struct IndexDef {
  std::string name, hashAttr, rangeAttr;  // rangeAttr empty: none
};
// The indexes a table description declares.
std::vector<IndexDef> indexesOf(const Json& description);

class TableStore : public TrailCarrier {
 public:
  // Also hands the trail records its WAL carried and the trail may not
  // have (a crash came first) to the process's trail (trail_carrier.h).
  static Result<std::unique_ptr<TableStore>> open(const std::filesystem::path& dir);
  ~TableStore() override;

  // A call's trail record, in the WAL its item write went to, ahead of the
  // sync the call waits for (the item's write left it for the call's end).
  // Stored as <horizon> TAB <eventID> LF <record> under o|<id>.
  uint64_t carry(std::string_view record, std::string_view eventId, uint64_t horizon) override;
  // Deletes the copies the trail has synced (told after each of its syncs).
  void settled(const std::vector<uint64_t>& ids) override;
  std::optional<std::string> carriedRecord(uint64_t id) override;

  // Table descriptions (the DynamoDB TableDescription JSON plus "_id").
  Result<Json> createTable(const TableRef& ref, Json description, const AlsoWrite& alsoWrite = {});
  std::optional<Json> table(const TableRef& ref);
  // The same, shared as cached (no copy): what every data-plane call reads.
  std::shared_ptr<const Json> tableShared(const TableRef& ref);
  // With `alsoWrite`, the change is made under the table's write lock (no
  // item changes meanwhile: a stream is closed at its last record).
  Result<Json> updateTable(const TableRef& ref, const std::function<std::optional<ApiError>(Json&)>& change,
                           const AlsoWrite& alsoWrite = {});
  Result<Json> deleteTable(const TableRef& ref, const AlsoWrite& alsoWrite = {});
  // Up to `limit` table names of an account's region after `after`
  // (exclusive; empty for the first), in byte order.
  std::vector<std::string> tableNames(const std::string& account, const std::string& region, const std::string& after,
                                      size_t limit);

  // Items, addressed by their table's id and encoded key.
  std::optional<Json> getItem(const std::string& tableId, const std::string& key);
  // The item as stored: its JSON text, unparsed.
  std::optional<std::string> getItemText(const std::string& tableId, const std::string& key);
  // Runs `decide` on the current item (null if none) under the table's write
  // lock; it returns the item to store (which must outlive the call), null
  // to delete, `current` itself to leave the item as it is, or an error.
  using Decision = Result<const Json*>;
  Result<std::optional<Json>> writeItem(const std::string& tableId, const std::string& key,
                                        const std::function<Decision(const Json* current)>& decide,
                                        WriteCause cause = WriteCause::Request);
  // Rewrites the stored text of an existing item with `rewrite`, under the
  // table's write lock, without parsing it (item_text.h). Only for tables
  // without secondary indexes whose changes are not logged: false, and
  // nothing written, when the table has either, the item does not exist or
  // `rewrite` gives nothing back. A stream's record is made from the two
  // texts (none when they are the same).
  Result<bool> rewriteItemText(const std::string& tableId, const std::string& key,
                               const std::function<std::optional<std::string>(const std::string& current)>& rewrite);
  // Several puts and deletes in one atomic batch (BatchWriteItem).
  Result<bool> writeBatch(const std::string& tableId, const std::vector<std::pair<std::string, std::optional<Json>>>& writes);
  // A transaction over items of several tables: every table's write lock is
  // taken (in one order, so transactions never deadlock), `decide` sees the
  // current items and returns the writes, which land in one atomic batch.
  struct TransactionItem {
    std::string tableId, key;
  };
  Result<bool> transact(const std::vector<TransactionItem>& items,
                        const std::function<Result<std::vector<std::pair<bool, std::optional<Json>>>>(
                            const std::vector<std::optional<Json>>& current)>& decide);
  // Items whose key starts with `keyPrefix`, in stored order, from after `startAfter`.
  void scanItems(const std::string& tableId, const std::string& keyPrefix, const std::string& startAfter,
                 const std::function<bool(const std::string& key, Json item)>& visit);
  uint64_t countItems(const std::string& tableId, uint64_t& bytes);
  // Entries of an index whose index key starts with `keyPrefix`
  // (hashPrefix of the index hash value, or empty), from after `startAfter`
  // (an entry key as indexEntryKey makes it).
  void scanIndex(const std::string& tableId, const std::string& index, const std::string& keyPrefix,
                 const std::string& startAfter, const std::function<bool(const std::string& key, Json item)>& visit);
  uint64_t countIndex(const std::string& tableId, const std::string& index, uint64_t& bytes);
  // The entry key of `item` (whose table key is `itemKey`) in `index`, or
  // nothing when the item lacks the index's key attributes (sparse index).
  static std::optional<std::string> indexEntryKey(const IndexDef& index, const Json& item, const std::string& itemKey);
  // Fills a new index from the table's items / removes an index's entries.
  Result<bool> buildIndex(const std::string& tableId, const IndexDef& index);
  Result<bool> dropIndex(const std::string& tableId, const std::string& index);

  // Backups: one table's items, as of one moment, in a new RocksDB at `dir`
  // (a backup then holds that table alone, and can be sealed on its own).
  Result<uint64_t> exportTable(const std::filesystem::path& dir, const std::string& tableId);
  Result<uint64_t> copyFromCheckpoint(const std::filesystem::path& dir, const std::string& sourceTableId,
                                      const std::string& targetTableId);
  void putMeta(const std::string& key, const Json& value);
  std::optional<Json> getMeta(const std::string& key);
  void deleteMeta(const std::string& key);
  void listMeta(const std::string& prefix, const std::function<void(const std::string&, Json)>& visit);

  // Point-in-time recovery (table_store_change_log.cpp): while it is on, every
  // change to a table's items is logged (time, key, new item) in the same
  // atomic batch as the change itself.
  // Turns the log on: starts it afresh with every current item, logged at
  // the returned time (epoch microseconds).
  Result<int64_t> startChangeLog(const std::string& tableId);
  // Turns it off and deletes it.
  Result<bool> dropChangeLog(const std::string& tableId);
  // Drops what a restore to `cutoffMicros` or later can do without: of the
  // entries before it, all but each key's last (and that one too when it
  // is a deletion). Returns how many entries went.
  Result<uint64_t> pruneChangeLog(const std::string& tableId, int64_t cutoffMicros);
  // The ids of the tables whose changes are logged.
  std::vector<std::string> loggedTables();
  // Fills an empty table with the source's items as they were at `untilMicros`.
  Result<uint64_t> restoreFromChangeLog(const std::string& sourceTableId, const std::string& targetTableId,
                                        int64_t untilMicros);

  // DynamoDB Streams (stream_log.cpp). While a table's stream is enabled,
  // its description names it ("_stream": Id, ViewType, MetaKey), and every
  // change to one of its items adds a record to the stream in the same
  // atomic batch as the change itself (none for a write that leaves the
  // item as it was). A stream's own description is kept under
  // streamMetaKey() (listMeta lists them), its records under its id, in
  // the order of their sequence numbers, which a table's write lock hands
  // out one after the other.
  static std::string streamMetaKey(const TableRef& ref, const std::string& label);
  static std::string streamMetaPrefix(const std::string& account, const std::string& region);
  // Up to `limit` records (JSON text) with sequence numbers from `from` to
  // `through`, in order, and no more than `maxBytes` of them (but one).
  std::vector<std::pair<uint64_t, std::string>> streamRecords(const std::string& streamId, uint64_t from,
                                                              uint64_t through, size_t limit,
                                                              size_t maxBytes = SIZE_MAX);
  // The last sequence number the stream handed out (0: none yet). For an
  // enabled stream it is exact only under the table's write lock (alsoWrite).
  uint64_t lastStreamSequence(const std::string& streamId);
  // Deletes the records created before `cutoffSeconds` (epoch), oldest
  // first; returns the first sequence number left (or the next to come).
  Result<uint64_t> trimStream(const std::string& streamId, double cutoffSeconds);
  // The sequence numbers below this one were trimmed (1: none).
  uint64_t streamTrimmedBelow(const std::string& streamId);
  // Deletes a stream's description and records.
  Result<bool> dropStream(const std::string& metaKey, const std::string& streamId);
  // The key shard iterators are signed with (kept in the store).
  const std::string& streamSecret() const { return streamSecret_; }

  static std::string encodeKey(const Json& hash, const Json* range);
  static std::string hashPrefix(const Json& hash);

  // Global tables (table_store_replication.cpp). While a table's
  // description has "_global", every stream record of it carries a stamp
  // (when the change was made, and in which region) kept beside the record
  // (ReplicaStamp), and each item's last stamp is kept beside the item:
  // a replica applies a change made elsewhere only if its stamp is later
  // than the item's (last writer wins), deletions included.
  struct ReplicaStamp {
    int64_t micros = 0;
    std::string region;
    bool replicated = false;  // the change came from another replica
    bool after(const ReplicaStamp& other) const {
      return micros != other.micros ? micros > other.micros : region > other.region;
    }
  };
  std::optional<ReplicaStamp> recordStamp(const std::string& streamId, uint64_t sequence);
  std::optional<ReplicaStamp> itemStamp(const std::string& tableId, const std::string& key);
  // Applies a change made in another replica (the item, or none: deleted)
  // if `stamp` is later than the item's; its stream record is marked as
  // replicated. False when an equal or later change is there already.
  Result<bool> applyReplicated(const std::string& tableId, const std::string& key, const std::optional<Json>& item,
                               const ReplicaStamp& stamp);
  // Deletes the item stamps of a table (deleted).
  void dropItemStamps(const std::string& tableId);
  // What the store holds in the process's memory budget (store_memory.h).
  StoreMemory memory() const;

  // Deletes the stamps of deleted items older than `cutoffMicros` (no
  // change that old can still arrive: the streams keep 24 hours). Returns
  // how many went.
  size_t pruneTombstones(const std::string& tableId, int64_t cutoffMicros);

 private:
  TableStore(rocksdb::DB* db, std::shared_ptr<WriteStop> stopped);
  std::mutex& lockFor(const std::string& tableId);
  // Every write goes through here: it asks StoreHealth's probe to resume a
  // store an error stopped (at most four times a second, on the probe's
  // thread: never on this one), flushes the WAL and syncs it (or leaves the
  // sync to the caller's syncWal(), once it released its locks), and
  // reports a full disk to StoreHealth.
  rocksdb::Status write(rocksdb::WriteBatch& batch, bool sync = true);
  rocksdb::Status put(const std::string& key, const std::string& value, bool sync = true);
  // Returns once a WAL sync that began after this call ended (walSync_).
  rocksdb::Status syncWal();
  // The same for an item's write, unless the call has a DeferredSyncs
  // scope open (common/deferred_syncs.h): then the sync starts at the
  // call's end, after the call's trail record, which the store carries in
  // the WAL too (carry): the one sync covers both before the answer.
  rocksdb::Status syncWalOrDefer();
  // Turns a failed sync's text into a status, and stops the store.
  rocksdb::Status syncFailure(const std::string& error);
  // Marks the store stopped (no write or WAL sync until resume()) and
  // reports why to StoreHealth.
  void stopWrites(const rocksdb::Status& status);
  // Writes the WAL's buffer, then the memtables to synced tables.
  rocksdb::Status flushMemtables();
  // Whether writing `batch` may make RocksDB switch to a new memtable (and
  // WAL) first: its memtable is near full, or the memtables' shared budget
  // is (walMutex_ held).
  bool switchMayCome(const rocksdb::WriteBatch& batch);
  // RocksDB's Resume() of a stopped store, unless tried less than
  // `minInterval` ago; true when it writes again.
  bool resume(std::chrono::milliseconds minInterval);

  std::unique_ptr<rocksdb::DB> db_;
  // The trail records carried (carry) are kept under o|<id> until the trail
  // says it has them synced (settled).
  std::atomic<uint64_t> nextCarried_{1};
  static CarriedRecord parseCarried(const std::string& value);
  // Hands the records carried by an earlier run to the trail, then drops them.
  void replayCarried();
  std::shared_ptr<WriteStop> stopped_;  // an error stopped RocksDB's writes
  // Orders the uses of the WAL's writer: a write (its WAL append) and the
  // sync's FlushWAL(). With RocksDB 7.8, once an append or a
  // flush of the WAL fails, the next one on the same writer asserts
  // (WritableFileWriter::AssertFalseAndGetStatusForPrevError) and aborts
  // the process, until Resume() has switched to a new WAL: a write already
  // under way when a flush failed, or the next group commit's flush, did
  // that on a full disk. So each holds this mutex and checks stopped_
  // first, and the one that fails sets stopped_ before letting go of it.
  // The fsync itself runs without it (WalFiles: it does not use RocksDB's
  // writer), and so does resume(), while stopped_ keeps the others away.
  std::mutex walMutex_;
  WalFiles walFiles_;  // what walSync_ syncs (its thread alone)
  size_t memtableBytes_;  // a memtable's size (write_buffer_size)
  std::shared_ptr<rocksdb::WriteBufferManager> writeBuffers_;  // the memtables' shared budget
  // Syncs the WAL once for all the writers waiting (TableStore::write says
  // why this and not RocksDB's own sync of a write group). Declared after
  // what its syncs use: it is destroyed first, after the syncs it owes.
  GroupCommit walSync_;
  std::mutex resumeMutex_;
  std::chrono::steady_clock::time_point lastResume_{};  // guarded by resumeMutex_
  std::mutex locksMutex_;
  std::map<std::string, std::unique_ptr<std::mutex>> tableLocks_;  // guarded by locksMutex_
  std::mutex metaMutex_;  // table create/update/delete
  // Table descriptions as stored, parsed once: every data-plane call reads
  // its table's. Written through by create/update/delete (under metaMutex_).
  std::shared_mutex descriptionsMutex_;
  // meta key -> description; guarded by descriptionsMutex_
  std::map<std::string, std::shared_ptr<const Json>> descriptions_;
  uint64_t descriptionsChanged_ = 0;  // counts remember() calls; guarded by descriptionsMutex_
  void remember(const TableRef& ref, const Json* description);
  uint64_t nextTableId_ = 1;
  // The indexes of every table, by table id (from the table descriptions).
  void rememberIndexes(const Json& description);
  std::vector<IndexDef> indexesFor(const std::string& tableId);
  // Adds to `batch` what keeps every index of the table in step with one
  // item going from `before` to `after` (either may be null).
  void addIndexWrites(rocksdb::WriteBatch& batch, const std::string& tableId, const std::string& key, const Json* before,
                      const Json* after);
  std::shared_mutex indexesMutex_;
  std::map<std::string, std::vector<IndexDef>> indexes_;  // guarded by indexesMutex_
  std::set<std::string> logged_;  // tables whose changes are logged; guarded by indexesMutex_
  bool logged(const std::string& tableId);
  // Adds the log entry of one item change to `batch` (when the table logs).
  void addChangeLogWrite(rocksdb::WriteBatch& batch, const std::string& tableId, const std::string& key,
                         const Json* after);
  std::atomic<uint64_t> changeSequence_{0};

  // Enabled streams, by table id (from the table descriptions); guarded by
  // indexesMutex_, their next sequence number by the table's write lock.
  struct ActiveStream {
    std::string id, viewType;
    std::vector<std::string> keyAttributes;
    std::string region;
    std::atomic<uint64_t> nextSequence{1};  // written under the table's write lock
    std::string tableId;
    std::atomic<bool> replicated{false};  // the table is a global table's replica
  };
  std::map<std::string, std::shared_ptr<ActiveStream>> streams_;
  std::string streamSecret_;
  void loadStreamSecret();
  // Called by rememberIndexes: follows the description's "_stream".
  void rememberStream(const std::string& tableId, const Json& description);
  std::shared_ptr<ActiveStream> activeStream(const std::string& tableId);
  // Adds the stream record of one item change to `batch` (when the table
  // has a stream and the item changed). Under the table's write lock.
  // The items' JSON texts, when the caller has them, are not dumped again.
  void addStreamWrite(rocksdb::WriteBatch& batch, const std::string& tableId, const Json* before, const Json* after,
                      WriteCause cause = WriteCause::Request, const std::string* beforeText = nullptr,
                      const std::string* afterText = nullptr);
  // The record itself, its images given as the items' texts (null: none).
  void addStreamRecord(rocksdb::WriteBatch& batch, ActiveStream& stream, std::string_view eventName,
                       const std::string& keysText, const std::string* oldImage, const std::string* newImage,
                       WriteCause cause, const std::string* itemKey = nullptr);
  // A replica's stamps of one record and its item (global tables).
  void addReplicaStamp(rocksdb::WriteBatch& batch, const ActiveStream& stream, uint64_t sequence,
                       const std::string& itemKey);
  // The record of an item rewritten as text (rewriteItemText); false when
  // it cannot be made without parsing the item.
  bool addStreamRewrite(rocksdb::WriteBatch& batch, const std::string& tableId, const std::string& key,
                        const std::string& beforeText, const std::string& afterText);
  uint64_t eventIdSalt_ = 0;
  std::atomic<uint64_t> eventIdCounter_{0};
};

}  // namespace kura::ddb
