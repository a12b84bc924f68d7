#pragma once
// How many descriptors Kura may hold, and how many of them its HTTP
// connections may take. At start the soft RLIMIT_NOFILE is raised to the
// hard one (the soft default, often 1024, is a relic of select(); the hard
// limit is what the administrator allows). Connections get what is left
// after a headroom for everything else Kura holds open: the stores (RocksDB
// keeps its table files open, each SQLite store three), the trail, the
// Multi-AZ endpoint proxies (two per forwarded connection), the tools the
// supervisors run (four per run) and their probes.
#include <cstddef>
#include <cstdint>

namespace kura {

struct DescriptorLimit {
  uint64_t before = 0;  // the soft limit Kura was started with
  uint64_t limit = 0;   // the soft limit now in effect
};

// Raises the soft limit to the hard one (capped, so that a hard limit of
// "unlimited" does not ask the kernel for more than it allows).
DescriptorLimit raiseDescriptorLimit();

// Connections served at once when --max-connections is not given: the limit
// less max(128, a quarter of it) of headroom and `reserve` for the
// connections past the limit that are answered 503; never below 16.
size_t defaultMaxConnections(uint64_t limit, size_t reserve);

}  // namespace kura
