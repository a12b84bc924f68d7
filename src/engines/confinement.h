#pragma once
// Confines an engine's server, and every process it starts (an archive
// command, a program a superuser runs with COPY ... PROGRAM), to its own
// files, with Landlock: every instance's server runs as the same system
// user (postgres, mysql, redis, memcache), so file permissions alone let a
// tenant who gains that user in one instance (a superuser escalation, a
// file privilege) read and write every other instance's files and Kura's
// own. Confined, a server reads the system (/usr, /etc, /proc, /sys, a few
// devices) and what `readable` names, reads and writes what `writable`
// names, and nothing else. It ptraces no process outside its own (nor reads
// another's memory through /proc); on a kernel that offers it (Landlock ABI
// 6) it signals none, so it cannot stop another instance's server; and
// (ABI 4) it listens on its own TCP ports only.
//
// Landlock needs no privilege and no library (Debian ships none for it:
// the three system calls are made here). On a kernel without it, servers
// run unconfined, as before; Kura says so once at start.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/confined_file.h"

namespace kura::engines {

struct Confinement {
  std::vector<std::filesystem::path> writable;  // read, write, create, remove below each
  std::vector<std::filesystem::path> readable;  // read below each (a missing one is left out)
  // The only TCP ports the server may listen on (with Landlock ABI 4;
  // empty: any). A free port is anyone's to take: another instance's while
  // it restarts would take that instance's clients (and their passwords).
  // Connecting out (dblink, replication) is not confined.
  std::vector<int> listenPorts;
  // The most address space the server (and each process it starts) may
  // map (RLIMIT_AS's soft limit; 0: no bound): a cache node's memory, which
  // its own settings do not bound (a Lua script's, a raised cache_memlimit),
  // comes from the host every tenant shares.
  uint64_t addressSpaceBytes = 0;
  // The most memory the server and every process it starts may use
  // together (0: no bound): an RDS instance's class's. They run in a memory
  // cgroup named for `memoryGroupOf`, the server's directory (none when
  // empty; engines/memory_cgroup.h), where Kura has memory cgroups.
  uint64_t memoryBytes = 0;
  std::filesystem::path memoryGroupOf;
  bool active() const { return !writable.empty(); }
};

// The Landlock ABI version this kernel offers (0: none).
int landlockAbi();

// A Landlock ruleset for `confinement`, ready for enterConfinement: an
// empty one (and no error) when the kernel offers no Landlock or the
// confinement is not active; an error names a path that could not be
// taken in (a writable one that does not exist).
struct ConfinementRuleset {
  UniqueFd fd;
  std::string error;
};
ConfinementRuleset confinementRuleset(const Confinement& confinement);

// Enforces the ruleset on the calling process (a child between fork and
// exec: async-signal-safe). Sets no_new_privs, which Landlock requires of
// an unprivileged caller. False: the ruleset could not be enforced.
bool enterConfinement(int rulesetFd);

}  // namespace kura::engines
