#pragma once
// Whether a running server runs the executable now installed: a package
// upgrade (a PostgreSQL or MariaDB security update from the distribution)
// puts a new file in place of the old, and a server started before it runs
// the old one until it restarts. RDS calls applying it a "system-update".
#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace kura::engines {

// True when the process `pid` runs another file than the one at
// `installed` (compared by device and inode: /proc/PID/exe still reaches
// a file replaced or removed since); nullopt when it cannot be told (no
// such process, no permission, nothing at `installed`).
std::optional<bool> runsReplacedExecutable(pid_t pid, const std::filesystem::path& installed);

}  // namespace kura::engines
