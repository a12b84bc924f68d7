#include "metrics/metric_text.h"

#include <gtest/gtest.h>

#include <limits>

namespace kura::metrics {
namespace {

TEST(MetricText, EscapesLabelValuesAsTheFormatSays) {
  std::string out;
  appendEscapedLabelValue(out, "a\\b\"c\nd}e,f=g");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd}e,f=g");
}

TEST(MetricText, WritesFamiliesAndSamples) {
  MetricText text;
  text.family("kura_x", "gauge", "Help with a \\ and\na line feed.");
  text.sample("kura_x", {{"name", "t\"1"}, {"node", "0001"}}, 2.5);
  text.sample("kura_x", {}, 3);
  EXPECT_EQ(text.text(),
            "# HELP kura_x Help with a \\\\ and\\na line feed.\n"
            "# TYPE kura_x gauge\n"
            "kura_x{name=\"t\\\"1\",node=\"0001\"} 2.5\n"
            "kura_x 3\n");
}

TEST(MetricText, WritesNumbersShortestAndSpecialsByName) {
  std::string out;
  for (double value : {0.0005, 0.1, 1e20, std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    appendNumber(out, value);
    out += ' ';
  }
  EXPECT_EQ(out, "0.0005 0.1 1e+20 +Inf -Inf NaN ");
}

}  // namespace
}  // namespace kura::metrics
