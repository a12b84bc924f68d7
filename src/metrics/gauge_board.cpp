#include "metrics/gauge_board.h"

namespace kura::metrics {

void GaugeFamily::add(std::vector<std::pair<std::string, std::string>> labels, double value) {
  if (series.size() >= kMaxSeriesPerFamily) {
    ++omitted;
    return;
  }
  series.emplace_back(std::move(labels), value);
}

void GaugeBoard::publish(std::vector<GaugeFamily> families) {
  auto published = std::make_shared<const std::vector<GaugeFamily>>(std::move(families));
  std::lock_guard lock(mutex_);
  families_ = std::move(published);
}

bool GaugeBoard::published() const {
  std::lock_guard lock(mutex_);
  return families_ != nullptr;
}

void GaugeBoard::render(MetricText& out) const {
  std::shared_ptr<const std::vector<GaugeFamily>> families;
  {
    std::lock_guard lock(mutex_);
    families = families_;
  }
  if (!families) return;
  Labels labels;
  for (const GaugeFamily& family : *families) {
    out.family(family.name, "gauge", family.help);
    for (const auto& [pairs, value] : family.series) {
      labels.clear();
      for (const auto& [name, labelValue] : pairs) labels.emplace_back(name, labelValue);
      out.sample(family.name, labels, value);
    }
  }
  out.family("kura_metrics_series_omitted", "gauge",
             "Series left out of a family past its bound (" + std::to_string(kMaxSeriesPerFamily) + ").");
  for (const GaugeFamily& family : *families) {
    out.sample("kura_metrics_series_omitted", {{"family", family.name}}, static_cast<double>(family.omitted));
  }
}

}  // namespace kura::metrics
