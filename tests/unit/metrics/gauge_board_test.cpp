#include "metrics/gauge_board.h"

#include <gtest/gtest.h>

namespace kura::metrics {
namespace {

TEST(GaugeBoard, RendersThePublishedSetAndBoundsEachFamily) {
  GaugeBoard board;
  GaugeFamily up{"kura_engine_up", "Up.", {}, 0};
  for (size_t index = 0; index < kMaxSeriesPerFamily + 7; ++index) {
    up.add({{"name", "t" + std::to_string(index)}}, 1);
  }
  up.series.front().first.front().second = "a\"b\nc";
  board.publish({up});
  MetricText text;
  board.render(text);
  std::string page = text.take();
  EXPECT_NE(page.find("kura_engine_up{name=\"a\\\"b\\nc\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("kura_metrics_series_omitted{family=\"kura_engine_up\"} 7\n"), std::string::npos);
  EXPECT_EQ(page.find("name=\"t" + std::to_string(kMaxSeriesPerFamily) + "\""), std::string::npos);
}

}  // namespace
}  // namespace kura::metrics
