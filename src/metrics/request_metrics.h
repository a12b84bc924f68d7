#pragma once
// Counters of the API's calls, per service and operation: how many, how
// many failed, and how long they took (a histogram), with the errors
// counted per service and code. Cheap on the request path: the table of
// services and operations is built once at start and only read after, each
// call adds to atomic counters (relaxed), and nothing takes a lock.
//
// Bounded whatever a client sends: a service or an operation Kura does not
// serve counts under "other", and the error table holds at most
// kMaxErrorCodes (service, code) pairs, the rest counted under code "other".
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_message.h"
#include "metrics/metric_text.h"

namespace kura::metrics {

// Upper bounds of the latency buckets, in seconds (+Inf is implied).
inline constexpr std::array<double, 14> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,    0.25,  0.5,    1,     2.5,  5,     10};
inline constexpr size_t kMaxErrorCodes = 512;

// A service's signing name and the operations it serves.
using ServedOperations = std::vector<std::pair<std::string, std::vector<std::string>>>;

class RequestMetrics {
 public:
  struct Slot {
    std::atomic<uint64_t> calls{0};
    std::atomic<uint64_t> errors{0};
    std::atomic<uint64_t> latencyNanos{0};
    std::array<std::atomic<uint64_t>, kLatencyBuckets.size()> buckets{};  // not cumulative
    std::string_view service;  // a key of the table (or "other")
  };

  explicit RequestMetrics(const ServedOperations& served);
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // The counters of a call (of "other" for what Kura does not serve).
  Slot& slot(std::string_view service, std::string_view operation);
  // One finished call; `errorCode` empty for a success.
  void record(Slot& slot, std::string_view errorCode, std::chrono::nanoseconds latency);

  // The request path in two halves on one thread: the gateway's observer
  // notes what the call was and how it ended, and the HTTP handler, once the
  // answer is ready, adds its latency (a request the gateway never saw, a
  // health check, is not counted).
  void noteCall(std::string_view service, std::string_view operation, std::string_view errorCode);
  void finishCall(std::chrono::nanoseconds latency);
  // The same once `response` is answered (started at `started`): an answer
  // owed (HttpResponse::answerLater, a write waiting for its sync) is
  // counted when it is sent, with the time until then, and as failed when
  // what is sent is an error the call had not noted (its sync failed).
  void finishCall(HttpResponse& response, std::chrono::steady_clock::time_point started);

  // kura_api_requests_total, kura_api_request_errors_total,
  // kura_api_errors_total, kura_api_request_duration_seconds: operations
  // never called are left out.
  void render(MetricText& out) const;

 private:
  struct ErrorEntry {
    std::atomic<int> state{0};  // 0 free, 1 being written, 2 ready
    char key[128]{};            // service '\x1f' code, truncated
    std::atomic<uint64_t> count{0};
  };
  void countError(std::string_view service, std::string_view code);

  // service -> operation -> counters; never changed after construction.
  std::map<std::string, std::map<std::string, std::unique_ptr<Slot>, std::less<>>, std::less<>> table_;
  std::map<std::string, std::unique_ptr<Slot>, std::less<>> otherOfService_;  // unknown operation of a service
  Slot other_;  // unknown service
  std::unique_ptr<std::array<ErrorEntry, kMaxErrorCodes>> errors_;
  std::atomic<uint64_t> errorsOverflow_{0};
};

}  // namespace kura::metrics
