#pragma once
// A service model's `pattern` constraint on a string member: a Java
// regular expression that the whole value must match (AWS's
// "Member must satisfy regular expression pattern: ..."), checked with
// PCRE2. Compiled on first use (JIT when the platform has it), once per
// shape; a match is bounded by PCRE2's match and depth limits, so that a
// hostile value cannot make it backtrack for long.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace kura {

class ModelPattern {
 public:
  explicit ModelPattern(std::string source);
  ~ModelPattern();
  ModelPattern(const ModelPattern&) = delete;
  ModelPattern& operator=(const ModelPattern&) = delete;

  // The pattern as the model writes it (what the error message quotes).
  const std::string& source() const { return source_; }
  // Whether the whole of `text` matches; nullopt when it cannot be told (a
  // pattern PCRE2 does not take, text that is not UTF-8, a match past its
  // limits): the value is then let through, never refused on Kura's account.
  std::optional<bool> matches(std::string_view text) const;
  // Whether PCRE2 compiled the pattern (compiling it now if not yet tried).
  bool usable() const;

 private:
  struct Compiled;
  const Compiled* compiled() const;

  std::string source_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<Compiled> compiled_;
};

}  // namespace kura
