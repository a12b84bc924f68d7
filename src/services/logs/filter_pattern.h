#pragma once
// CloudWatch Logs filter patterns for unstructured events: terms that must
// all appear ("ERROR Exception"), quoted phrases ("\"out of memory\""),
// alternatives (?ERROR ?WARN) and exclusions (ERROR -Retrying). JSON
// ({ $.x = 1 }) and space-delimited ([ip, ...]) patterns are refused.
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"

namespace kura {

class FilterPattern {
 public:
  static Result<FilterPattern> parse(std::string_view text);
  bool matches(std::string_view message) const;

 private:
  std::vector<std::string> required_, anyOf_, excluded_;
};

}  // namespace kura
