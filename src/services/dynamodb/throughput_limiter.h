#pragma once
// Provisioned capacity as DynamoDB enforces it: a PROVISIONED table (and
// only such a table) has a read and a write bucket that fill at its
// ReadCapacityUnits / WriteCapacityUnits per second and hold up to 300
// seconds of unused capacity (burst capacity), full when Kura first sees
// the table. An operation is refused with ProvisionedThroughputExceededException
// when its bucket is empty; what it consumed is taken out afterwards (a
// large read can leave the bucket in debt, which the next seconds repay).
//
// Each global secondary index of such a table has its own two buckets, at
// the index's provisioned capacity: a Query or Scan of the index reads from
// its read bucket, and a write to the table is refused while any index's
// write bucket is empty (DynamoDB throttles the table on behalf of an index
// that cannot keep up) and charges the indexes it changes.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/api_error.h"

namespace kura::ddb {

enum class Use { None, Read, Write };

// Whether the table's capacity is PROVISIONED (and so held to it).
bool isProvisioned(const nlohmann::json& table);

class ThroughputLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // The error to answer when the table (or, for reads, its global
  // secondary index `index`) has no capacity left for `use`.
  std::optional<ApiError> admit(const nlohmann::json& table, Use use, const std::string& index = "",
                                Clock::time_point now = Clock::now());
  // Takes what an operation consumed out of the table's (or index's) bucket.
  void charge(const nlohmann::json& table, Use use, double units, const std::string& index = "",
              Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point refilled{};
    bool started = false;
  };
  // The table's (or index's) bucket for `use`, refilled at `rate` up to now.
  Bucket* bucket(const nlohmann::json& table, const std::string& index, Use use, double rate, Clock::time_point now);

  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;  // "<table id>/<index>/r" or "/w"; guarded by mutex_
};

}  // namespace kura::ddb
