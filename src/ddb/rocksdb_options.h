#pragma once
// The RocksDB options of Kura's DynamoDB store and of its backups, chosen
// so that a full disk is an outage and not a crash:
//  - no info LOG file: RocksDB's warnings and errors go to Kura's log. (The
//    packaged RocksDB asserts when it logs again to a LOG file whose last
//    write failed, which aborted Kura on a full disk; and a LOG that cannot
//    be created would keep Kura from starting.)
//  - no preallocation (fallocate): on a nearly full disk, a new WAL or
//    MANIFEST must not claim tens of megabytes it may never use.
//  - the WAL flushed by Kura after each write (manual_wal_flush): a write
//    whose WAL flush fails is already in the memtable, so RocksDB's
//    Resume() switches to a new WAL. (With RocksDB 7.8 a WAL write that
//    fails while the memtable is empty leaves the failed WAL in use after
//    Resume(), and the next write asserts.) Before a write that may switch
//    memtables, Kura flushes the buffer too: RocksDB's own flush of it at a
//    switch is fatal when it fails (TableStore::write).
//  - RocksDB's own recovery from a full disk off: it waits for 64 MB free
//    (the write buffer); Kura calls Resume() itself when it retries.
//  - memory bounded by one budget (`--dynamodb-cache-mb`), not by the
//    data: one LRU block cache shared by every store of the process, with
//    the memtables charged to it (a WriteBufferManager of a quarter of it,
//    which flushes when they pass that) and the tables' index and filter
//    blocks kept in it rather than beside it (those of level 0 pinned); a
//    Bloom filter per table (10 bits a key) so that a GetItem reads one
//    table's block, not one per level. The index and filter are
//    partitioned and prefix-compressed, so that a table far bigger than
//    the budget costs a GetItem one small block read, not a whole index.
#include <functional>
#include <string>

#include <rocksdb/options.h>
#include <rocksdb/status.h>

namespace kura::ddb {

// Called (from RocksDB's threads) when RocksDB stops writing after an error.
using BackgroundErrorHandler = std::function<void(const rocksdb::Status&)>;

// The memory RocksDB may hold for the process's DynamoDB stores, in bytes
// (default 256 MiB). Takes effect for the stores opened after it is set:
// `kura serve` sets it before opening its store.
void setStoreMemoryBudget(size_t bytes);
size_t storeMemoryBudget();
inline constexpr size_t kDefaultStoreMemoryBudget = 256u << 20;

// `store` names the store in Kura's log lines.
rocksdb::Options storeOptions(const std::string& store, BackgroundErrorHandler onError = nullptr);

// A write batch up to this size (a whole BatchWriteItem of 400 KB items
// takes 10 MB) stays in the WAL's buffer until Kura flushes it. The buffer
// grows to it only as needed (SST writers' buffers too).
inline constexpr size_t kWalBufferBytes = 16u << 20;

}  // namespace kura::ddb
