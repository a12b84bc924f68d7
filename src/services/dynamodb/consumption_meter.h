#pragma once
// The capacity units each table (and global secondary index) consumes, as
// DynamoDB publishes them to CloudWatch: AWS/DynamoDB
// ConsumedReadCapacityUnits and ConsumedWriteCapacityUnits, dimensions
// TableName (and GlobalSecondaryIndexName), one Sum per publication, in
// the table's account and region. Calls add what they consumed (every
// charge of the throughput limiter, on-demand tables too); the service
// publishes the sums each interval and starts over. Nothing is published
// for a table that consumed nothing (as DynamoDB publishes nothing for an
// idle table).
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/periodic_task.h"

namespace kura::ddb {

struct ConsumedUnits {
  std::string account, region, table, index;
  bool read = true;
  double units = 0;
};

class ConsumptionMeter {
 public:
  void add(const nlohmann::json& table, bool read, double units, const std::string& index);
  // What was consumed since the last call (tables that consumed something).
  std::vector<ConsumedUnits> drain();

 private:
  // The table's ARN, the index, and read or write: looked up without a copy
  // (this runs on every data-plane call).
  struct Key {
    std::string arn, index;
    bool read = true;
  };
  struct KeyView {
    std::string_view arn, index;
    bool read = true;
  };
  struct KeyOrder {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::tie(a.arn, a.index, a.read) < std::tie(b.arn, b.index, b.read);
    }
  };
  std::mutex mutex_;
  std::map<Key, ConsumedUnits, KeyOrder> sums_;  // guarded by mutex_
};

// The process's meter: every table store's calls add to it.
ConsumptionMeter& consumptionMeter();

// Publishes the meter's sums every `interval` (and once more when stopped)
// through `sink` (CloudWatch's metric store), stamped with the time of
// publication.
class ConsumedCapacityPublisher {
 public:
  using Sink = std::function<void(const ConsumedUnits&)>;
  ConsumedCapacityPublisher(std::chrono::milliseconds interval, Sink sink);
  ~ConsumedCapacityPublisher();
  void start();
  void stop();

 private:
  void publish();
  Sink sink_;
  PeriodicTask task_;
};

}  // namespace kura::ddb
