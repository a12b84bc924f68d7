// ASCII case for SigV4's header names: they are lowered byte by byte
// (std::tolower would ask the locale for every byte), and compared with a
// lower-case name without a copy.
#pragma once

#include <string>
#include <string_view>

namespace kura::auth {

inline char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

inline std::string asciiLowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = asciiLower(c);
  return out;
}

// `key` lowered is `name` (already lower-case).
inline bool lowersTo(std::string_view key, std::string_view name) {
  if (key.size() != name.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    if (asciiLower(key[i]) != name[i]) return false;
  }
  return true;
}

}  // namespace kura::auth
