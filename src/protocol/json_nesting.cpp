#include "protocol/json_nesting.h"

#include <cstring>

namespace kura {

// A byte scan rather than nlohmann's parser callback: with a callback the
// library builds the tree through its slower callback parser and calls a
// std::function for every token, on every call (GetItem included), where
// this loop touches each byte once, skips string contents with memchr, and
// is skipped entirely for bodies too short to nest that deep.
bool jsonNestsWithin(std::string_view text, size_t maxDepth) {
  if (text.size() <= maxDepth) return true;
  const char* data = text.data();
  size_t size = text.size();
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
