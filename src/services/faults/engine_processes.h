#pragma once
// The processes of an engine server, found by where they work: every
// process of a PostgreSQL or MariaDB server runs with its working directory
// in the server's data directory, below the node's own directory. The
// kernel says where a process works; nothing the engine writes (a pid file)
// is trusted to name a process.
#include <sys/types.h>

#include <filesystem>
#include <vector>

namespace kura::faults {

struct EngineProcess {
  pid_t pid = 0;
  pid_t parent = 0;
  unsigned long long startTicks = 0;  // /proc/<pid>/stat's starttime: tells a reused pid apart
};

// The live processes working at or below `dir`; never Kura itself, and
// when Kura runs as root never a process of root (engines run as their own
// unprivileged users).
std::vector<EngineProcess> processesBeneath(const std::filesystem::path& dir);
// The same for each of `dirs` (answers in their order), in one pass over
// the host's processes: a zone's failure finds every node's at once, not
// one pass a node.
std::vector<std::vector<EngineProcess>> processesBeneath(const std::vector<std::filesystem::path>& dirs);
// Of those, the servers: the processes whose parent is not one of them
// (the postmaster, not its backends).
std::vector<EngineProcess> serversOf(const std::vector<EngineProcess>& processes);
// Sends `signal` to each process that is still the one found (same start).
int signalEach(const std::vector<EngineProcess>& processes, int signal);

}  // namespace kura::faults
