#pragma once
// Time to Live: deletes the items of TTL-enabled tables whose TTL attribute
// (a Number, epoch seconds) is in the past, as DynamoDB does in the
// background, through the store's ordinary delete (indexes follow, and the
// delete re-checks the item under the table's write lock). Items expired
// more than five years ago are left alone, as DynamoDB leaves them.
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "ddb/table_store.h"

namespace kura::ddb {

class TtlSweeper {
 public:
  TtlSweeper(TableStore& store, ClockPtr clock, std::chrono::milliseconds interval = std::chrono::seconds(1));
  ~TtlSweeper();
  void start();
  void stop();
  // One pass over every TTL-enabled table; returns the items deleted.
  size_t sweepOnce();

 private:
  TableStore& store_;
  ClockPtr clock_;
  std::chrono::milliseconds interval_;
  std::map<std::string, std::string> cursors_;  // table id -> where the last pass stopped
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
};

}  // namespace kura::ddb
