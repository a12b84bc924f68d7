#include "ddb/store_memory.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>

#include <charconv>
#include <map>
#include <string>

namespace kura::ddb {
namespace {

uint64_t number(const std::map<std::string, std::string>& stats, const std::string& key) {
  auto it = stats.find(key);
  if (it == stats.end()) return 0;
  uint64_t value = 0;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  return value;
}

}  // namespace

StoreMemory storeMemory(rocksdb::DB& db) {
  using Keys = rocksdb::BlockCacheEntryStatsMapKeys;
  using Role = rocksdb::CacheEntryRole;
  StoreMemory memory;
  // RocksDB walks the cache for these at most every 10 s (and less often
  // when a walk takes long: at most a tenth of a thread), giving the last
  // ones between.
  std::map<std::string, std::string> stats;
  if (!db.GetMapProperty(rocksdb::DB::Properties::kBlockCacheEntryStats, &stats)) stats.clear();
  memory.capacity = number(stats, Keys::CacheCapacityBytes());
  for (uint32_t i = 0; i < rocksdb::kNumCacheEntryRoles; ++i) {
    auto role = static_cast<Role>(i);
    uint64_t bytes = number(stats, Keys::UsedBytes(role));
    switch (role) {
      case Role::kDataBlock:
        memory.data += bytes;
        break;
      case Role::kIndexBlock:
        memory.index += bytes;
        break;
      case Role::kFilterBlock:
      case Role::kFilterMetaBlock:
      case Role::kDeprecatedFilterBlock:
        memory.filter += bytes;
        break;
      case Role::kWriteBuffer:
        memory.memtables += bytes;
        break;
      default:
        memory.other += bytes;
    }
  }
  std::map<std::string, std::string> files;
  if (db.GetMapProperty(rocksdb::DB::Properties::kAggregatedTableProperties, &files)) {
    memory.filesIndex = number(files, "index_size");
    memory.filesFilter = number(files, "filter_size");
  }
  return memory;
}

}  // namespace kura::ddb
