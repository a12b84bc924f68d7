#pragma once
// Makes RocksDB's write-ahead log durable with Kura's own fdatasync of its
// files, not RocksDB's SyncWAL().
//
// Why: with RocksDB 7.8, a WAL file writer that has seen an error asserts
// (and aborts the process) on its next append, flush or sync until
// Resume() has replaced it, so nothing may touch it beside a write that can
// fail. RocksDB's SyncWAL() syncs through that writer: run beside the writes
// (as a group commit must, or every writer waits out each fsync, a third of
// the throughput measured), a write that failed on a full disk during the
// sync aborted Kura. A file's dirty pages are the inode's, whichever
// descriptor wrote them: an fdatasync of Kura's own descriptor makes
// durable all that RocksDB's writer had written to the file before it, and
// never touches the writer.
//
// What a sync covers: the caller flushes RocksDB's WAL buffer to the
// current file (FlushWAL without sync, under the lock that orders the
// writes) and reads the current file's number in the same hold. Earlier
// files got their last bytes when RocksDB switched away from them; they
// are synced once, at the first sync after the switch, with the directory
// (the new file's name must survive too). A file RocksDB deleted meanwhile
// had its memtable flushed to synced tables: nothing to do.
#include <cstdint>
#include <filesystem>
#include <string>

#include "common/confined_file.h"

namespace kura::ddb {

class WalFiles {
 public:
  explicit WalFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // Makes durable every byte written to the WAL files numbered up to
  // `current` (the current one) before this call; returns an error text,
  // empty on success. One caller at a time (the WAL's group commit).
  std::string syncThrough(uint64_t current);

  // RocksDB's name of a WAL file.
  static std::string fileName(uint64_t number);

 private:
  std::filesystem::path dir_;
  uint64_t open_ = 0;  // the number of the file `fd_` is open on (0: none yet)
  UniqueFd fd_;
};

}  // namespace kura::ddb
