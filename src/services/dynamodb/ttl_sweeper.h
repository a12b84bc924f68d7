#pragma once
// Time to Live: deletes the items of TTL-enabled tables whose TTL attribute
// (a Number, epoch seconds) is in the past, as DynamoDB does in the
// background, through the store's ordinary delete (indexes follow, and the
// delete re-checks the item under the table's write lock). Items expired
// more than five years ago are left alone, as DynamoDB leaves them.
#include <map>
#include <string>

#include "common/clock.h"
#include "common/periodic_task.h"
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
  std::map<std::string, std::string> cursors_;  // table id -> where the last pass stopped
  PeriodicTask task_;
};

}  // namespace kura::ddb
