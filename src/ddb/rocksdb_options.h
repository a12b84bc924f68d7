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
//    Resume(), and the next write asserts.)
//  - RocksDB's own recovery from a full disk off: it waits for 64 MB free
//    (the write buffer); Kura calls Resume() itself when it retries.
#include <functional>
#include <string>

#include <rocksdb/options.h>
#include <rocksdb/status.h>

namespace kura::ddb {

// Called (from RocksDB's threads) when RocksDB stops writing after an error.
using BackgroundErrorHandler = std::function<void(const rocksdb::Status&)>;

// `store` names the store in Kura's log lines.
rocksdb::Options storeOptions(const std::string& store, BackgroundErrorHandler onError = nullptr);

// A write batch up to this size (a whole BatchWriteItem of 400 KB items
// takes 10 MB) stays in the WAL's buffer until Kura flushes it. The buffer
// grows to it only as needed (SST writers' buffers too).
inline constexpr size_t kWalBufferBytes = 16u << 20;

}  // namespace kura::ddb
