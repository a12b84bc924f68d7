#pragma once
// The Prometheus text exposition format, version 0.0.4: a family's # HELP
// and # TYPE lines once, then its samples, one per line, each
// `name{label="value",...} number`. Label values are escaped as the format
// says (backslash, double quote and line feed); a tenant's name reaches a
// label only through here.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kura::metrics {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// `value` with \ " and line feed escaped (\\ \" \n).
void appendEscapedLabelValue(std::string& out, std::string_view value);
// A number as the format writes it: integers without a fraction, NaN and
// infinities as NaN, +Inf, -Inf.
void appendNumber(std::string& out, double value);

class MetricText {
 public:
  // type: counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

}  // namespace kura::metrics
