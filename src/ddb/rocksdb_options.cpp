#include "ddb/rocksdb_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/rate_limiter.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <algorithm>
#include <memory>
#include <mutex>

namespace kura::ddb {
namespace {

// RocksDB's warnings and errors, as lines of Kura's log.
class KuraLogger : public rocksdb::Logger {
 public:
  explicit KuraLogger(std::string store) : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), store_(std::move(store)) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::WARN_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char text[1024];
    std::vsnprintf(text, sizeof text, format, ap);
    std::string line(text);
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    for (char& c : line) {
      if (c == '"' || c == '\n') c = '\'';
    }
    // RocksDB's ERROR lines are mostly what it will retry (a full disk):
    // warnings in Kura's log, where errors are what an operator must act on.
    spdlog::warn("msg=\"rocksdb\" store={} text=\"{}\"", store_, line);
  }

 private:
  std::string store_;
};

class ErrorListener : public rocksdb::EventListener {
 public:
  explicit ErrorListener(BackgroundErrorHandler onError) : onError_(std::move(onError)) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    if (onError_ && error != nullptr) onError_(*error);
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status error, bool* autoRecovery) override {
    // From a full disk Kura resumes the store itself (see the header);
    // RocksDB retries other errors as it would.
    if (autoRecovery != nullptr && error.IsNoSpace()) *autoRecovery = false;
  }

 private:
  BackgroundErrorHandler onError_;
};

// One budget for the process: the cache and the memtables' manager are
// made at the first store's opening and shared by every store after it.
struct MemoryBudget {
  std::mutex mutex;
  size_t bytes = kDefaultStoreMemoryBudget;
  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::WriteBufferManager> writeBuffers;
};

MemoryBudget& budget() {
  static MemoryBudget instance;
  return instance;
}

}  // namespace

void setStoreMemoryBudget(size_t bytes) {
  std::lock_guard lock(budget().mutex);
  budget().bytes = bytes;
  budget().cache.reset();
  budget().writeBuffers.reset();
}

size_t storeMemoryBudget() {
  std::lock_guard lock(budget().mutex);
  return budget().bytes;
}

rocksdb::Options storeOptions(const std::string& store, BackgroundErrorHandler onError) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.info_log = std::make_shared<KuraLogger>(store);
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.allow_fallocate = false;
  options.manifest_preallocation_size = 0;
  options.manual_wal_flush = true;
  options.writable_file_max_buffer_size = kWalBufferBytes;
  // Table files (flushes, compactions) go to the disk paced, in pieces, and
  // written back as they are made: the WAL's buffer above is every file's,
  // so a table file was written in 16 MB bursts and synced whole at its
  // end, and a WAL sync behind that waited tens of milliseconds. The limit
  // tunes itself (from a twentieth of 256 MiB/s up to it) to what the
  // compactions need; the WAL is never paced (bench/README.md, "Table
  // files paced").
  options.bytes_per_sync = 1u << 20;
  options.rate_limiter.reset(rocksdb::NewGenericRateLimiter(256u << 20, /*refill_period_us=*/10 * 1000,
                                                            /*fairness=*/10, rocksdb::RateLimiter::Mode::kWritesOnly,
                                                            /*auto_tuned=*/true));
  options.listeners.push_back(std::make_shared<ErrorListener>(std::move(onError)));

  MemoryBudget& memory = budget();
  std::lock_guard lock(memory.mutex);
  if (!memory.cache) {
    memory.cache = rocksdb::NewLRUCache(memory.bytes);
    memory.writeBuffers = std::make_shared<rocksdb::WriteBufferManager>(memory.bytes / 4, memory.cache);
  }
  options.write_buffer_manager = memory.writeBuffers;
  // Two memtables of an eighth each at most (64 MiB, RocksDB's default, at
  // a budget of 512 MiB or more).
  options.write_buffer_size = std::clamp<size_t>(memory.bytes / 8, 1u << 20, 64u << 20);
  options.max_write_buffer_number = 2;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = memory.cache;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks that stay small as a table grows, and whose
  // misses stay cheap once they no longer fit in the budget:
  //  - keys of the index prefix-compressed (a restart every 16 entries, as
  //    the data blocks have): a sixth of the index with Kura's item keys
  //    (1.6 against 9.5 MB per million 1 KB items), searched about as fast;
  //  - the index and the filter of each table file cut into 4 KB
  //    partitions under a small top level, pinned. A GetItem whose index
  //    is not in the cache reads one partition back, not the whole file's
  //    index (over half a megabyte for a 64 MB file of 1 KB items): with a
  //    cache too small for the index, a read took 5-8 us instead of 94-104
  //    (bench/README.md, "Partitioned index and filter blocks").
  table.index_block_restart_interval = 16;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  table.optimize_filters_for_memory = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace kura::ddb
