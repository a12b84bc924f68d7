#pragma once
// What the DynamoDB store holds in its memory budget (`--dynamodb-cache-mb`,
// rocksdb_options.h), by what it is: for /_kura/metrics, so that an
// operator can see whether a table's index and filter blocks still fit
// (a GetItem whose blocks do not is read back from the page cache).
#include <cstdint>

namespace rocksdb {
class DB;
}

namespace kura::ddb {

struct StoreMemory {
  uint64_t capacity = 0;   // the block cache's capacity: the budget
  uint64_t data = 0;       // data blocks (items, secondary index entries, stream records)
  uint64_t index = 0;      // index blocks (partitions and top levels)
  uint64_t filter = 0;     // Bloom filter blocks (partitions and top levels)
  uint64_t memtables = 0;  // the memtables, charged to the cache
  uint64_t other = 0;      // everything else in the cache
  // The index and filter blocks of all the store's table files: what the
  // cache would hold if every one of them were read.
  uint64_t filesIndex = 0;
  uint64_t filesFilter = 0;
};

// From RocksDB's statistics of the cache's entries (gathered by walking the
// cache, at most every 10 s; between, the last ones are given).
// The files' sizes come from their properties (kept in memory by RocksDB).
// All zero when RocksDB does not give them.
StoreMemory storeMemory(rocksdb::DB& db);

}  // namespace kura::ddb
