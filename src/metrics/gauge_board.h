#pragma once
// The gauges of Kura's resources and stores as of the last collection
// pass: a background task probes the engines and sizes the stores every few
// seconds and publishes the whole set at once; a scrape only renders what
// was published (a page is never half of one pass and half of another, and
// a scrape never waits for an engine).
//
// Bounded: at most kMaxSeriesPerFamily series per family (a tenant with
// 100k resources does not grow the page past it); the series left out are
// counted in kura_metrics_series_omitted{family="..."}.
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "metrics/metric_text.h"

namespace kura::metrics {

inline constexpr size_t kMaxSeriesPerFamily = 2000;

struct GaugeFamily {
  std::string name, help;
  std::vector<std::pair<std::vector<std::pair<std::string, std::string>>, double>> series;  // labels, value
  size_t omitted = 0;
  // Adds a series unless the family is full (then counts it as omitted).
  void add(std::vector<std::pair<std::string, std::string>> labels, double value);
};

class GaugeBoard {
 public:
  void publish(std::vector<GaugeFamily> families);
  void render(MetricText& out) const;
  bool published() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<GaugeFamily>> families_;  // guarded by mutex_
};

}  // namespace kura::metrics
