#pragma once
// GET /_kura/metrics on the API port: Prometheus' text format (0.0.4) of
// the API's request counters (metrics/request_metrics.h) and of the
// resources' and stores' gauges (main/resource_metrics.h), readable as
// metrics/metrics_access.h says. docs/operations.md lists every family.
#include <chrono>
#include <optional>
#include <vector>

#include "api/api_gateway.h"
#include "main/resource_metrics.h"
#include "metrics/gauge_board.h"
#include "metrics/metrics_access.h"
#include "metrics/request_metrics.h"
#include "services/core/service_module.h"

namespace kura {

inline constexpr std::string_view kMetricsPath = "/_kura/metrics";

class MetricsEndpoint {
 public:
  // `open`: the server is bound to loopback; `configured`: the configured
  // credentials alone (not IAM users').
  MetricsEndpoint(ResourceMetricSources sources, const std::vector<ServiceModulePtr>& modules, bool open,
                  const auth::CredentialStore& configured, ClockPtr clock);
  void start() { collector_.start(); }
  void stop() { collector_.stop(); }

  // The gateway's observer: what the call was and how it ended.
  void observe(const ApiCallRecord& record);
  // The API's handler around the gateway: the call's latency is counted
  // once it is answered (an owed answer once it is sent).
  template <typename F>
  HttpResponse timed(F&& handle) {
    auto started = std::chrono::steady_clock::now();
    HttpResponse response = handle();
    requests_.finishCall(response, started);
    return response;
  }
  // The page, a refusal, or empty when the request is not for the metrics.
  std::optional<HttpResponse> serve(const HttpRequest& request) const;

 private:
  metrics::RequestMetrics requests_;
  metrics::GaugeBoard board_;
  metrics::MetricsAccess access_;
  ResourceMetrics collector_;
};

}  // namespace kura
