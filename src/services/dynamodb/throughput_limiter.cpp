#include "services/dynamodb/throughput_limiter.h"

#include <algorithm>

#include "services/dynamodb/consumption_meter.h"

namespace kura::ddb {

bool isProvisioned(const nlohmann::json& table) {
  auto billing = table.find("BillingModeSummary");
  if (billing == table.end()) return true;
  auto mode = billing->find("BillingMode");
  return mode == billing->end() || *mode == "PROVISIONED";
}

namespace {

constexpr double kBurstSeconds = 300;

double unitsOf(const nlohmann::json& holder, Use use) {
  auto throughput = holder.find("ProvisionedThroughput");
  if (throughput == holder.end()) return 0;
  auto units = throughput->find(use == Use::Read ? "ReadCapacityUnits" : "WriteCapacityUnits");
  return units != throughput->end() && units->is_number() ? units->get<double>() : 0;
}

// The table's global secondary indexes (an empty array when none).
const nlohmann::json& globalIndexes(const nlohmann::json& table) {
  static const nlohmann::json kNone = nlohmann::json::array();
  auto indexes = table.find("GlobalSecondaryIndexes");
  return indexes != table.end() && indexes->is_array() ? *indexes : kNone;
}

// The provisioned units per second for `use` of the table or its global
// secondary index `index`; 0 for on-demand tables. Read in place, without
// copies: this runs on every data-plane call.
double rateOf(const nlohmann::json& table, Use use, const std::string& index) {
  if (use == Use::None || !isProvisioned(table)) return 0;
  if (index.empty()) return unitsOf(table, use);
  for (const auto& entry : globalIndexes(table)) {
    auto name = entry.find("IndexName");
    if (name != entry.end() && *name == index) return unitsOf(entry, use);
  }
  return 0;  // a local secondary index: the table's capacity
}

ApiError throttled(const std::string& index) {
  return ApiError::sender("ProvisionedThroughputExceededException",
                          index.empty() ? "The level of configured provisioned throughput for the table was exceeded. "
                                          "Consider increasing your provisioning level with the UpdateTable API."
                                        : "The level of configured provisioned throughput for one or more global "
                                          "secondary indexes of the table was exceeded. Consider increasing your "
                                          "provisioning level for the under-provisioned global secondary indexes "
                                          "with the UpdateTable API");
}

}  // namespace

ThroughputLimiter::Bucket* ThroughputLimiter::bucket(const nlohmann::json& table, const std::string& index, Use use,
                                                     double rate, Clock::time_point now) {
  Bucket& b = buckets_[table.value("_id", std::string()) + "/" + index + (use == Use::Read ? "/r" : "/w")];
  double capacity = rate * kBurstSeconds;
  if (!b.started) {
    b.started = true;
    b.tokens = capacity;
  } else {
    double elapsed = std::chrono::duration<double>(now - b.refilled).count();
    b.tokens = std::min(capacity, b.tokens + rate * std::max(0.0, elapsed));
  }
  b.refilled = now;
  return &b;
}

std::optional<ApiError> ThroughputLimiter::admit(const nlohmann::json& table, Use use, const std::string& index,
                                                 Clock::time_point now) {
  if (use == Use::None || !isProvisioned(table)) return std::nullopt;  // on demand: no lock, no bucket
  std::lock_guard lock(mutex_);
  double rate = rateOf(table, use, index);
  if (rate > 0 && bucket(table, index, use, rate, now)->tokens <= 0) return throttled(index);
  if (use == Use::Write && index.empty()) {
    for (const auto& entry : globalIndexes(table)) {
      std::string name = entry.value("IndexName", "");
      double indexRate = rateOf(table, use, name);
      if (indexRate > 0 && bucket(table, name, use, indexRate, now)->tokens <= 0) return throttled(name);
    }
  }
  return std::nullopt;
}

void ThroughputLimiter::charge(const nlohmann::json& table, Use use, double units, const std::string& index,
                               Clock::time_point now) {
  // What every table consumes is published (CloudWatch's AWS/DynamoDB metrics), on-demand tables' too.
  if (use != Use::None) consumptionMeter().add(table, use == Use::Read, units, index);
  double rate = rateOf(table, use, index);
  if (rate <= 0) return;
  std::lock_guard lock(mutex_);
  bucket(table, index, use, rate, now)->tokens -= units;
}

}  // namespace kura::ddb
