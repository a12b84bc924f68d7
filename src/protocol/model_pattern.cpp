#include "protocol/model_pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>
#include <optional>

namespace kura {
namespace {

// Bounds on one match: PCRE2's count of backtracking steps, the depth of
// its backtracking and the heap it may take (KiB). The models' patterns
// match a valid value in a few dozen steps; a hostile one stops here.
constexpr uint32_t kMatchLimit = 100000;
constexpr uint32_t kDepthLimit = 1000;
constexpr uint32_t kHeapLimitKib = 1024;

// Java's POSIX classes (\p{Alnum}, ASCII only as Java's), which PCRE2
// writes [:alnum:].
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kPosixClasses{{
    {"Lower", "lower"},
    {"Upper", "upper"},
    {"Alpha", "alpha"},
    {"Digit", "digit"},
    {"Alnum", "alnum"},
    {"Punct", "punct"},
    {"Graph", "graph"},
    {"Print", "print"},
    {"Blank", "blank"},
    {"Cntrl", "cntrl"},
    {"XDigit", "xdigit"},
    {"Space", "space"},
}};

// A Java pattern in PCRE2's syntax: the two differ in Java's POSIX and
// ASCII property names and its \uXXXX escapes (UTF-16 units: a surrogate
// pair is one code point), which are rewritten; the rest is common ground.
std::string toPcre2(std::string_view java) {
  std::string out;
  out.reserve(java.size() + 8);
  int classDepth = 0;
  for (size_t i = 0; i < java.size(); ++i) {
    char c = java[i];
    if (c == '\\' && i + 1 < java.size()) {
      char kind = java[i + 1];
      if (kind == 'u') {  // \uXXXX, a surrogate pair of two the code point they make
        auto unit = [&](size_t at) -> std::optional<uint32_t> {
          if (at + 6 > java.size() || java[at] != '\\' || java[at + 1] != 'u') return std::nullopt;
          uint32_t value = 0;
          for (size_t k = at + 2; k < at + 6; ++k) {
            char h = java[k];
            int digit = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (digit < 0) return std::nullopt;
            value = value * 16 + static_cast<uint32_t>(digit);
          }
          return value;
        };
        if (auto high = unit(i)) {
          uint32_t point = *high;
          size_t used = 6;
          if (point >= 0xD800 && point <= 0xDBFF) {
            if (auto low = unit(i + 6); low && *low >= 0xDC00 && *low <= 0xDFFF) {
              point = 0x10000 + ((point - 0xD800) << 10) + (*low - 0xDC00);
              used = 12;
            }
          }
          out += fmt::format("\\x{{{:X}}}", point);
          i += used - 1;
          continue;
        }
      }
      if ((kind == 'p' || kind == 'P') && i + 2 < java.size() && java[i + 2] == '{') {
        size_t close = java.find('}', i + 3);
        if (close != std::string_view::npos) {
          std::string_view name = java.substr(i + 3, close - i - 3);
          if (name.starts_with("Is") && name.size() > 2) name.remove_prefix(2);  // \p{IsLatin}: \p{Latin}
          std::string replacement;
          bool negated = kind == 'P';
          if (name == "ASCII") {
            replacement = negated ? "[^\\x00-\\x7F]" : "\\x00-\\x7F";
            if (!negated && classDepth == 0) replacement = "[" + replacement + "]";
          }
          for (const auto& [javaName, posixName] : kPosixClasses) {
            if (name == javaName) {
              replacement = std::string("[:") + (negated ? "^" : "") + std::string(posixName) + ":]";
              if (classDepth == 0) replacement = "[" + replacement + "]";
            }
          }
          if (replacement.empty()) replacement = std::string("\\") + kind + "{" + std::string(name) + "}";
          out += replacement;
          i = close;
          continue;
        }
      }
      out += c;
      out += kind;
      ++i;
      continue;
    }
    if (c == '[') {
      ++classDepth;
      out += c;
      // A ']' first in a class (after an optional '^') is a literal.
      if (i + 1 < java.size() && java[i + 1] == '^') out += java[++i];
      if (i + 1 < java.size() && java[i + 1] == ']') out += java[++i];
      continue;
    }
    if (c == ']' && classDepth > 0) --classDepth;
    out += c;
  }
  return out;
}

pcre2_match_context* matchContext() {
  static pcre2_match_context* context = [] {
    pcre2_match_context* made = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(made, kMatchLimit);
    pcre2_set_depth_limit(made, kDepthLimit);
    pcre2_set_heap_limit(made, kHeapLimitKib);
    return made;
  }();
  return context;
}

struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

pcre2_match_data* threadMatchData() {
  thread_local std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(pcre2_match_data_create(1, nullptr));
  return data.get();
}

}  // namespace

struct ModelPattern::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

ModelPattern::ModelPattern(std::string source) : source_(std::move(source)) {}

ModelPattern::~ModelPattern() = default;

const ModelPattern::Compiled* ModelPattern::compiled() const {
  std::call_once(once_, [this] {
    std::string translated = toPcre2(source_);
    int error = 0;
    PCRE2_SIZE offset = 0;
    // The whole value must match, as Java's Matcher.matches().
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                                     PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &error, &offset,
                                     nullptr);
    if (code == nullptr) {
      std::array<PCRE2_UCHAR, 160> message{};
      pcre2_get_error_message(error, message.data(), message.size());
      spdlog::debug("msg=\"a model pattern is not checked\" pattern=\"{}\" error=\"{}\"", source_,
                    reinterpret_cast<const char*>(message.data()));
      return;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // where there is no JIT, the interpreter
    compiled_ = std::make_unique<Compiled>();
    compiled_->code = code;
  });
  return compiled_.get();
}

bool ModelPattern::usable() const { return compiled() != nullptr; }

std::optional<bool> ModelPattern::matches(std::string_view text) const {
  const Compiled* pattern = compiled();
  if (pattern == nullptr) return std::nullopt;
  int result = pcre2_match(pattern->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0,
                           threadMatchData(), matchContext());
  if (result >= 0) return true;
  if (result == PCRE2_ERROR_NOMATCH) return false;
  return std::nullopt;  // not UTF-8, or past a limit
}

}  // namespace kura
