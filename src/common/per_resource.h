#pragma once
// State a watcher keeps in memory per resource (keyed by ARN, say): what
// the last pass saw, when a step was last done. Forgotten once the resource
// is gone, so that a server whose resources come and go does not grow.
#include <cstddef>

namespace kura {

namespace per_resource_detail {
template <class Entry>
const auto& keyOf(const Entry& entry) {
  if constexpr (requires { entry.first; }) {
    return entry.first;  // a map's
  } else {
    return entry;  // a set's
  }
}
}  // namespace per_resource_detail

// Erases the entries of `map` (a map or set) whose key is not in `live`
// (anything with contains()); returns how many went.
template <class Map, class Keys>
size_t forgetAllBut(Map& map, const Keys& live) {
  size_t erased = 0;
  for (auto it = map.begin(); it != map.end();) {
    if (live.contains(per_resource_detail::keyOf(*it))) {
      ++it;
    } else {
      it = map.erase(it);
      ++erased;
    }
  }
  return erased;
}

}  // namespace kura
