// The DynamoDB store's index and filter blocks against a small cache,
// with RocksDB alone (no HTTP, no JSON): how big they are, and what a
// point read costs when they do not fit.
//   build/bench/kura_ddb_index_probe DIR ITEMS CACHE_MB [load] [before]
// `load` first writes ITEMS 1 KB values under Kura's own item keys (table
// id 1, string partition keys) and compacts them; then, with a budget of
// CACHE_MB (`--dynamodb-cache-mb`), the probe reads 20,000 random items
// twice and prints the table files' index and filter sizes, p50 and p99 of
// a read in microseconds, and the cache's use. `before` uses the table
// options as they were before the partitioned index (a whole index block
// per table file, every key in full): the same command with and without it
// compares the two (each on a folder of its own, loaded with it).
#include <rocksdb/db.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ddb/rocksdb_options.h"
#include "ddb/store_memory.h"
#include "ddb/table_store.h"

namespace {

std::string itemKey(long n) {
  char id[32];
  std::snprintf(id, sizeof id, "user%010ld", n);
  return "i|1|" + kura::ddb::TableStore::encodeKey(nlohmann::json{{"S", id}}, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s DIR ITEMS CACHE_MB [load] [before]\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  long items = std::stol(argv[2]);
  bool load = false, before = false;
  for (int i = 4; i < argc; ++i) {
    load = load || std::string(argv[i]) == "load";
    before = before || std::string(argv[i]) == "before";
  }
  kura::ddb::setStoreMemoryBudget(std::stoul(argv[3]) << 20);
  rocksdb::Options options = kura::ddb::storeOptions("probe");
  if (before) {
    rocksdb::BlockBasedTableOptions table = *options.table_factory->GetOptions<rocksdb::BlockBasedTableOptions>();
    table.index_block_restart_interval = 1;
    table.index_type = rocksdb::BlockBasedTableOptions::kBinarySearch;
    table.partition_filters = false;
    table.pin_top_level_index_and_filter = false;
    table.optimize_filters_for_memory = false;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  options.manual_wal_flush = false;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, dir, &raw);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::mt19937_64 rng(1);
  if (load) {
    rocksdb::WriteOptions unsynced;
    unsynced.disableWAL = true;
    std::string value(1000, 'a');
    for (long n = 0; n < items; ++n) {
      for (char& c : value) c = static_cast<char>('a' + rng() % 26);
      db->Put(unsynced, itemKey(n), value);
    }
    db->Flush(rocksdb::FlushOptions());
    db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr);
  }
  std::string out;
  for (int round = 1; round <= 2; ++round) {
    std::vector<double> micros;
    long found = 0;
    for (int i = 0; i < 20000; ++i) {
      std::string key = itemKey(static_cast<long>(rng() % static_cast<uint64_t>(items)));
      auto began = std::chrono::steady_clock::now();
      if (db->Get(rocksdb::ReadOptions(), key, &out).ok()) ++found;
      micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began).count());
    }
    std::sort(micros.begin(), micros.end());
    kura::ddb::StoreMemory memory = kura::ddb::storeMemory(*db);
    std::printf("%s, %ld items, %s MiB: index %.1f MB, filter %.1f MB; round %d: read p50 %.1f us, p99 %.1f us, "
                "%ld found; cache holds %.1f MB of index and filter\n",
                before ? "before" : "now", items, argv[3], memory.filesIndex / 1048576.0,
                memory.filesFilter / 1048576.0, round, micros[micros.size() / 2], micros[micros.size() * 99 / 100],
                found, (memory.index + memory.filter) / 1048576.0);
  }
  return 0;
}
