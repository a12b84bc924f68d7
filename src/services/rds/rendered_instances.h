#pragma once
// DB instances as DescribeDBInstances' pages render them from their records
// alone, kept by record: id and version (ids are never reused, and every
// committed write of a record moves its version on, so a kept view is never
// stale). A page asked again (a console, a fleet's first page polled, every
// page of a fleet within the capacity) skips parsing its records and
// building their views, about three fifths of its cost. What does not live
// in the record (tags, read replicas, subnet groups, an Aurora cluster's
// settings, the server certificate's end) is read for every answer as
// before. Instances asked by name or filtered by id are read as before.
//
// Bounded: a record is kept while there is room, or in place of the least
// recently used one if that was not used for kIdle. So a walk of more
// instances than the capacity keeps the first ones it sees and renders the
// rest as before (least recently used, in a walk, would make every record
// go before it is asked again, and cost each a copy in vain), while a
// polled page, or one that moved on, takes the room of records no longer
// asked for (deleted instances among them).
// Thread-safe; record() is called with the catalog held, so nothing here
// calls the catalog, and what goes is freed after the lock.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/records.h"

namespace kura::rds {

class RenderedInstances {
 public:
  explicit RenderedInstances(size_t capacity = kDefaultCapacity, std::chrono::steady_clock::duration idle = kIdle)
      : capacity_(capacity), idle_(idle) {}

  // The record kept for `row` (its id and version; spec and state unread),
  // or null.
  std::shared_ptr<const Resource> record(const Resource& row);
  // The view of `record` as `render` makes it, kept with the record (made
  // now, outside the lock, if not kept at its version); null when there is
  // no room to keep it (the caller renders it itself, without a copy).
  std::shared_ptr<const nlohmann::json> view(const std::shared_ptr<const Resource>& record,
                                             const std::function<nlohmann::json(const Resource&)>& render);
  size_t size();

  // About 25 KB a parsed record with its view: 1,024 of them are some 25 MB.
  static constexpr size_t kDefaultCapacity = 1024;
  // How long a record unused keeps its room from another.
  static constexpr std::chrono::seconds kIdle{60};

 private:
  struct Entry {
    std::shared_ptr<const Resource> record;
    std::shared_ptr<const nlohmann::json> view;
    std::list<int64_t>::iterator used;  // its place in used_
    std::chrono::steady_clock::time_point usedAt;
  };
  void touch(Entry& entry, std::chrono::steady_clock::time_point now);  // mutex_ held
  bool hasRoom(int64_t id, std::chrono::steady_clock::time_point now) const;  // mutex_ held

  const size_t capacity_;
  const std::chrono::steady_clock::duration idle_;
  std::mutex mutex_;
  std::unordered_map<int64_t, Entry> entries_;  // by record id; guarded by mutex_
  std::list<int64_t> used_;                     // ids, the most recently used first; guarded by mutex_
};

}  // namespace kura::rds
