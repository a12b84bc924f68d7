#include "services/logs/filter_pattern.h"

#include <algorithm>

namespace kura {

Result<FilterPattern> FilterPattern::parse(std::string_view text) {
  FilterPattern pattern;
  size_t pos = 0;
  auto skipSpaces = [&] {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  };
  skipSpaces();
  if (pos < text.size() && (text[pos] == '{' || text[pos] == '[')) {
    return ApiError::sender("InvalidParameterException",
                            "Kura supports term filter patterns only, not JSON or space-delimited patterns.");
  }
  while (skipSpaces(), pos < text.size()) {
    char kind = text[pos];
    if (kind == '?' || kind == '-') ++pos;
    std::string term;
    if (pos < text.size() && text[pos] == '"') {
      size_t close = text.find('"', pos + 1);
      if (close == std::string_view::npos) {
        return ApiError::sender("InvalidParameterException", "Invalid filter pattern: unterminated quote.");
      }
      term = std::string(text.substr(pos + 1, close - pos - 1));
      pos = close + 1;
    } else {
      size_t end = text.find_first_of(" \t", pos);
      if (end == std::string_view::npos) end = text.size();
      term = std::string(text.substr(pos, end - pos));
      pos = end;
    }
    if (term.empty()) continue;
    if (kind == '?') {
      pattern.anyOf_.push_back(term);
    } else if (kind == '-') {
      pattern.excluded_.push_back(term);
    } else {
      pattern.required_.push_back(term);
    }
  }
  return pattern;
}

bool FilterPattern::matches(std::string_view message) const {
  auto contains = [&](const std::string& term) { return message.find(term) != std::string_view::npos; };
  return std::all_of(required_.begin(), required_.end(), contains) &&
         (anyOf_.empty() || std::any_of(anyOf_.begin(), anyOf_.end(), contains)) &&
         std::none_of(excluded_.begin(), excluded_.end(), contains);
}

}  // namespace kura
