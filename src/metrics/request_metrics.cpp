#include "metrics/request_metrics.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace kura::metrics {
namespace {

constexpr std::string_view kOther = "other";
constexpr char kSeparator = '\x1f';

struct PendingCall {
  RequestMetrics::Slot* slot = nullptr;
  std::string errorCode;  // reused: no allocation per call once grown
};
thread_local PendingCall pending;

}  // namespace

RequestMetrics::RequestMetrics(const ServedOperations& served)
    : errors_(std::make_unique<std::array<ErrorEntry, kMaxErrorCodes>>()) {
  for (const auto& [service, operations] : served) {
    auto& operationSlots = table_[service];
    for (const std::string& operation : operations) operationSlots.emplace(operation, std::make_unique<Slot>());
  }
  for (auto& [service, operationSlots] : table_) {
    for (auto& [operation, slot] : operationSlots) slot->service = service;
    auto other = std::make_unique<Slot>();
    other->service = service;
    otherOfService_.emplace(service, std::move(other));
  }
  other_.service = kOther;
}

RequestMetrics::Slot& RequestMetrics::slot(std::string_view service, std::string_view operation) {
  auto serviceIt = table_.find(service);
  if (serviceIt == table_.end()) return other_;
  auto operationIt = serviceIt->second.find(operation);
  if (operationIt != serviceIt->second.end()) return *operationIt->second;
  return *otherOfService_.find(service)->second;
}

void RequestMetrics::record(Slot& slot, std::string_view errorCode, std::chrono::nanoseconds latency) {
  slot.calls.fetch_add(1, std::memory_order_relaxed);
  uint64_t nanos = latency.count() > 0 ? static_cast<uint64_t>(latency.count()) : 0;
  slot.latencyNanos.fetch_add(nanos, std::memory_order_relaxed);
  double seconds = static_cast<double>(nanos) / 1e9;
  auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
  if (bucket != kLatencyBuckets.end()) {
    slot.buckets[static_cast<size_t>(bucket - kLatencyBuckets.begin())].fetch_add(1, std::memory_order_relaxed);
  }
  if (!errorCode.empty()) {
    slot.errors.fetch_add(1, std::memory_order_relaxed);
    countError(slot.service, errorCode);
  }
}

void RequestMetrics::countError(std::string_view service, std::string_view code) {
  char key[sizeof(ErrorEntry::key)]{};
  size_t length = std::min(service.size(), sizeof key - 2);
  std::memcpy(key, service.data(), length);
  key[length++] = kSeparator;
  size_t codeLength = std::min(code.size(), sizeof key - 1 - length);
  std::memcpy(key + length, code.data(), codeLength);
  length += codeLength;
  std::string_view wanted(key, length);
  size_t start = std::hash<std::string_view>{}(wanted) % kMaxErrorCodes;
  for (size_t probe = 0; probe < kMaxErrorCodes; ++probe) {
    ErrorEntry& entry = (*errors_)[(start + probe) % kMaxErrorCodes];
    int state = entry.state.load(std::memory_order_acquire);
    if (state == 0) {
      int expected = 0;
      if (entry.state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
        std::memcpy(entry.key, key, sizeof key);
        entry.count.fetch_add(1, std::memory_order_relaxed);
        entry.state.store(2, std::memory_order_release);
        return;
      }
      state = expected;
    }
    // Another thread is writing this entry's key: it may be ours, but
    // rather than wait the call goes on probing (at worst a code gets two
    // entries, summed when rendered).
    if (state == 2 && std::string_view(entry.key) == wanted) {
      entry.count.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  errorsOverflow_.fetch_add(1, std::memory_order_relaxed);
}

void RequestMetrics::noteCall(std::string_view service, std::string_view operation, std::string_view errorCode) {
  pending.slot = &slot(service, operation);
  pending.errorCode.assign(errorCode);
}

void RequestMetrics::finishCall(std::chrono::nanoseconds latency) {
  if (pending.slot == nullptr) return;
  record(*pending.slot, pending.errorCode, latency);
  pending.slot = nullptr;
}

void RequestMetrics::finishCall(HttpResponse& response, std::chrono::steady_clock::time_point started) {
  if (!response.answerLater || pending.slot == nullptr) {
    finishCall(std::chrono::steady_clock::now() - started);
    return;
  }
  Slot* slot = pending.slot;
  pending.slot = nullptr;
  response.answerLater = [this, slot, errorCode = pending.errorCode, started,
                          later = std::move(response.answerLater)](HttpResponse::Send send) {
    later([this, slot, errorCode, started, send = std::move(send)](HttpResponse answer) {
      std::string_view code = errorCode;
      if (code.empty() && answer.status >= 400) code = answer.status >= 500 ? "InternalFailure" : "other";
      record(*slot, code, std::chrono::steady_clock::now() - started);
      send(std::move(answer));
    });
  };
}

void RequestMetrics::render(MetricText& out) const {
  struct Row {
    std::string_view service, operation;
    const Slot* slot;
  };
  std::vector<Row> rows;
  for (const auto& [service, operationSlots] : table_) {
    for (const auto& [operation, slot] : operationSlots) {
      if (slot->calls.load(std::memory_order_relaxed) > 0) rows.push_back({service, operation, slot.get()});
    }
    const Slot& other = *otherOfService_.find(service)->second;
    if (other.calls.load(std::memory_order_relaxed) > 0) rows.push_back({service, kOther, &other});
  }
  if (other_.calls.load(std::memory_order_relaxed) > 0) rows.push_back({kOther, kOther, &other_});

  out.family("kura_api_requests_total", "counter", "API calls answered, per service and operation.");
  for (const Row& row : rows) {
    out.sample("kura_api_requests_total", {{"service", row.service}, {"operation", row.operation}},
               static_cast<double>(row.slot->calls.load(std::memory_order_relaxed)));
  }
  out.family("kura_api_request_errors_total", "counter", "API calls answered with an error, per service and operation.");
  for (const Row& row : rows) {
    out.sample("kura_api_request_errors_total", {{"service", row.service}, {"operation", row.operation}},
               static_cast<double>(row.slot->errors.load(std::memory_order_relaxed)));
  }

  std::map<std::pair<std::string, std::string>, uint64_t> byCode;
  for (const ErrorEntry& entry : *errors_) {
    if (entry.state.load(std::memory_order_acquire) != 2) continue;
    std::string_view key(entry.key);
    size_t separator = key.find(kSeparator);
    byCode[{std::string(key.substr(0, separator)), std::string(key.substr(separator + 1))}] +=
        entry.count.load(std::memory_order_relaxed);
  }
  if (uint64_t overflow = errorsOverflow_.load(std::memory_order_relaxed); overflow > 0) {
    byCode[{std::string(kOther), std::string(kOther)}] += overflow;
  }
  out.family("kura_api_errors_total", "counter", "API errors, per service and error code.");
  for (const auto& [key, count] : byCode) {
    out.sample("kura_api_errors_total", {{"service", key.first}, {"code", key.second}}, static_cast<double>(count));
  }

  out.family("kura_api_request_duration_seconds", "histogram",
             "Time from a request's arrival at the handler to its answer, per service and operation.");
  std::string bound;
  for (const Row& row : rows) {
    uint64_t cumulative = 0;
    for (size_t index = 0; index < kLatencyBuckets.size(); ++index) {
      cumulative += row.slot->buckets[index].load(std::memory_order_relaxed);
      bound.clear();
      appendNumber(bound, kLatencyBuckets[index]);
      out.sample("kura_api_request_duration_seconds_bucket",
                 {{"service", row.service}, {"operation", row.operation}, {"le", bound}},
                 static_cast<double>(cumulative));
    }
    uint64_t calls = row.slot->calls.load(std::memory_order_relaxed);
    out.sample("kura_api_request_duration_seconds_bucket",
               {{"service", row.service}, {"operation", row.operation}, {"le", "+Inf"}},
               static_cast<double>(std::max(calls, cumulative)));
    out.sample("kura_api_request_duration_seconds_sum", {{"service", row.service}, {"operation", row.operation}},
               static_cast<double>(row.slot->latencyNanos.load(std::memory_order_relaxed)) / 1e9);
    out.sample("kura_api_request_duration_seconds_count", {{"service", row.service}, {"operation", row.operation}},
               static_cast<double>(std::max(calls, cumulative)));
  }
}

}  // namespace kura::metrics
