#include "services/dynamodb/throughput_limiter.h"

#include <algorithm>

namespace kura::ddb {
namespace {

constexpr double kBurstSeconds = 300;

// The provisioned units per second for `use`; 0 for on-demand tables. Read
// in place, without copies: this runs on every data-plane call.
double rateOf(const nlohmann::json& table, Use use) {
  if (use == Use::None) return 0;
  auto billing = table.find("BillingModeSummary");
  if (billing != table.end()) {
    auto mode = billing->find("BillingMode");
    if (mode != billing->end() && *mode != "PROVISIONED") return 0;
  }
  auto throughput = table.find("ProvisionedThroughput");
  if (throughput == table.end()) return 0;
  auto units = throughput->find(use == Use::Read ? "ReadCapacityUnits" : "WriteCapacityUnits");
  return units != throughput->end() && units->is_number() ? units->get<double>() : 0;
}

}  // namespace

ThroughputLimiter::Bucket* ThroughputLimiter::bucket(const nlohmann::json& table, Use use, double rate,
                                                     Clock::time_point now) {
  Bucket& b = buckets_[table.value("_id", std::string()) + (use == Use::Read ? "/r" : "/w")];
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

std::optional<ApiError> ThroughputLimiter::admit(const nlohmann::json& table, Use use, Clock::time_point now) {
  double rate = rateOf(table, use);
  if (rate <= 0) return std::nullopt;  // on demand: no lock, no bucket
  std::lock_guard lock(mutex_);
  if (bucket(table, use, rate, now)->tokens > 0) return std::nullopt;
  return ApiError::sender("ProvisionedThroughputExceededException",
                          "The level of configured provisioned throughput for the table was exceeded. Consider "
                          "increasing your provisioning level with the UpdateTable API.");
}

void ThroughputLimiter::charge(const nlohmann::json& table, Use use, double units, Clock::time_point now) {
  double rate = rateOf(table, use);
  if (rate <= 0) return;
  std::lock_guard lock(mutex_);
  bucket(table, use, rate, now)->tokens -= units;
}

}  // namespace kura::ddb
