#include "protocol/json_nesting.h"

#include <bit>
#include <cstdint>
#include <cstring>

namespace kura {

namespace {

// '{' (0x7b) and '[' (0x5b) differ in one bit: with it set, both are the
// only bytes equal to 0x7b. Eight bytes at a time, the zero bytes of
// (word | 0x20..) ^ 0x7b.. counted exactly (no carry crosses a byte).
size_t openingBrackets(const char* data, size_t size) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
  size_t count = 0, i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, data + i, 8);
    uint64_t diff = (word | (0x20 * kOnes)) ^ (0x7b * kOnes);
    uint64_t nonzero = ((diff & kLow7) + kLow7) | diff;  // high bit set where the byte is not zero
    count += static_cast<size_t>(std::popcount(~nonzero & (0x80 * kOnes)));
  }
  for (; i < size; ++i) count += static_cast<size_t>((data[i] | 0x20) == 0x7b);
  return count;
}

}  // namespace

// A byte scan rather than nlohmann's parser callback: the callback runs for
// every token of every body (GetItem's included) and cannot stop the parse,
// so a deep body is parsed whole before it is refused. Here a body with no
// more opening brackets than the limit (every ordinary request) costs one
// branch-free count; only the others are scanned, strings skipped whole.
bool jsonNestsWithin(std::string_view text, size_t maxDepth) {
  if (text.size() <= maxDepth) return true;
  const char* data = text.data();
  size_t size = text.size();
  if (openingBrackets(data, size) <= maxDepth) return true;
  size_t depth = 0;
  for (size_t i = 0; i < size; ++i) {
    char c = data[i];
    if (c == '"') {
      // The closing quote is the first one after an even run of backslashes.
      size_t from = i + 1;
      while (true) {
        const void* found = std::memchr(data + from, '"', size - from);
        if (found == nullptr) return true;  // unterminated: the parser refuses it
        size_t quote = static_cast<size_t>(static_cast<const char*>(found) - data);
        size_t backslashes = 0;
        while (quote - backslashes > i + 1 && data[quote - 1 - backslashes] == '\\') ++backslashes;
        if (backslashes % 2 == 0) {
          i = quote;
          break;
        }
        from = quote + 1;
      }
    } else if (c == '{' || c == '[') {
      if (++depth > maxDepth) return false;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace kura
