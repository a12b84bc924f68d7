#include "protocol/cbor_nesting.h"

#include <cstdint>
#include <vector>

namespace kura {
namespace {

// An open array, map, tag or indefinite-length string: how many items it
// still holds (a map's pairs count twice), or none for an indefinite one,
// which ends at a break (0xff).
struct Open {
  uint64_t remaining = 0;
  bool indefinite = false;
  int stringMajor = -1;  // an indefinite string: its chunks' major type
};

}  // namespace

bool cborWellFormedWithin(std::string_view bytes, size_t maxDepth) {
  return cborWithoutTags(bytes, maxDepth).has_value();
}

std::optional<std::string> cborWithoutTags(std::string_view bytes, size_t maxDepth) {
  std::string out;
  out.reserve(bytes.size());
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t size = bytes.size();
  size_t at = 0;
  std::vector<Open> open;
  bool topDone = false;
  while (!topDone) {
    if (at >= size) return std::nullopt;
    size_t start = at;
    unsigned char initial = data[at++];
    int major = initial >> 5;
    int info = initial & 31;
    if (initial == 0xff) {  // break: ends the innermost indefinite item
      if (open.empty() || !open.back().indefinite) return std::nullopt;
      open.pop_back();
      out += static_cast<char>(initial);
    } else {
      if (!open.empty() && open.back().stringMajor >= 0 && (major != open.back().stringMajor || info == 31)) {
        return std::nullopt;  // an indefinite string's chunks are definite strings of its type
      }
      uint64_t argument = 0;
      bool indefinite = false;
      if (info < 24) {
        argument = static_cast<uint64_t>(info);
      } else if (info <= 27) {
        size_t length = size_t{1} << (info - 24);
        if (size - at < length) return std::nullopt;
        for (size_t i = 0; i < length; ++i) argument = (argument << 8) | data[at++];
      } else if (info == 31 && major >= 2 && major <= 5) {
        indefinite = true;
      } else {
        return std::nullopt;
      }
      bool container = false;
      if (major != 6) out.append(bytes.substr(start, at - start));
      switch (major) {
        case 0:
        case 1:
        case 7:
          break;
        case 2:
        case 3:
          if (indefinite) {
            open.push_back(Open{0, true, major});
            container = true;
          } else {
            if (size - at < argument) return std::nullopt;
            out.append(bytes.substr(at, static_cast<size_t>(argument)));
            at += static_cast<size_t>(argument);
          }
          break;
        case 4:
        case 5: {
          if (indefinite) {
            open.push_back(Open{0, true, -1});
            container = true;
            break;
          }
          // Each item takes at least a byte: a count beyond the bytes left
          // is refused before anything is allocated for it.
          uint64_t items = major == 5 ? argument * 2 : argument;
          if (argument > size || items > size - at) return std::nullopt;
          if (items > 0) {
            open.push_back(Open{items, false, -1});
            container = true;
          }
          break;
        }
        case 6:
          open.push_back(Open{1, false, -1});
          container = true;
          break;
      }
      if (open.size() > maxDepth) return std::nullopt;
      if (container) continue;
    }
    // An item is complete: it counts against the containers it closes.
    while (true) {
      if (open.empty()) {
        topDone = true;
        break;
      }
      Open& parent = open.back();
      if (parent.indefinite) break;
      if (--parent.remaining > 0) break;
      open.pop_back();
    }
  }
  if (at != size) return std::nullopt;
  return out;
}

}  // namespace kura
