#include "services/dynamodb/throughput_limiter.h"

#include <algorithm>

namespace kura::ddb {
namespace {

constexpr double kBurstSeconds = 300;

}  // namespace

ThroughputLimiter::Bucket* ThroughputLimiter::bucket(const nlohmann::json& table, Use use, Clock::time_point now) {
  if (use == Use::None) return nullptr;
  const auto& billing = table.value("BillingModeSummary", nlohmann::json::object());
  if (billing.value("BillingMode", "PROVISIONED") != "PROVISIONED") return nullptr;
  const auto& throughput = table.value("ProvisionedThroughput", nlohmann::json::object());
  double rate = throughput.value(use == Use::Read ? "ReadCapacityUnits" : "WriteCapacityUnits", 0.0);
  if (rate <= 0) return nullptr;
  Bucket& b = buckets_[table.value("_id", table.value("TableName", "")) + (use == Use::Read ? "/r" : "/w")];
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
  std::lock_guard lock(mutex_);
  Bucket* b = bucket(table, use, now);
  if (b == nullptr || b->tokens > 0) return std::nullopt;
  return ApiError::sender("ProvisionedThroughputExceededException",
                          "The level of configured provisioned throughput for the table was exceeded. Consider "
                          "increasing your provisioning level with the UpdateTable API.");
}

void ThroughputLimiter::charge(const nlohmann::json& table, Use use, double units, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (Bucket* b = bucket(table, use, now)) b->tokens -= units;
}

}  // namespace kura::ddb
