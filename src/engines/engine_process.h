#pragma once
// Runs an engine's command-line tools (initdb, pg_ctl, pg_basebackup, psql,
// tar, redis-server, redis-cli) to completion, as the engine's unprivileged user when Kura runs as
// root (PostgreSQL refuses to run as root). Bounded in time; the child dies
// with Kura (PR_SET_PDEATHSIG) unless it daemonizes itself (pg_ctl start
// does: the server is then adopted by the next Kura through its pid file).
// A server is started confined to its own files (confinement.h); a tool
// Kura runs for itself is not.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engines/confinement.h"

namespace kura::engines {

struct ProcessResult {
  int exitCode = -1;   // -1: could not start or timed out
  std::string output;  // stdout and stderr together, bounded
  bool ok() const { return exitCode == 0; }
};

struct EngineUser {
  bool drop = false;  // true when Kura may switch users (root, or CAP_SETUID and CAP_SETGID)
  unsigned uid = 0, gid = 0;
  std::string name;
};

// The unprivileged user engines run as ("postgres") when Kura may switch
// users: as root, or as its own user with CAP_SETUID and CAP_SETGID (the
// systemd unit); otherwise engines run as Kura's user.
std::optional<EngineUser> engineUser(const std::string& name);

ProcessResult runProcess(const std::vector<std::string>& argv, const EngineUser& user,
                         const std::string& stdinText = "",
                         std::chrono::seconds timeout = std::chrono::seconds(120),
                         const std::vector<std::string>& extraEnv = {},
                         const Confinement& confinement = {});

// Daemons (redis-server, memcached) write a pid file; the next Kura adopts
// them through it. The pid in `pidFile` if that process lives (a zombie does
// not) and is still `comm` (a pid can be reused); else 0.
int daemonPid(const std::filesystem::path& pidFile, const std::string& comm);
// Whether the pid file names a process that has exited (a server that
// wrote it and died, as one does that cannot load its data); false while
// there is no pid file.
bool daemonExited(const std::filesystem::path& pidFile);
bool processAlive(int pid);
// Polls `ready` every 50 ms for up to `limit`; its last answer.
bool waitUntil(const std::function<bool()>& ready, std::chrono::milliseconds limit);

// Creates `dir` (and its parents), owned by the engine user with mode 0700;
// directories above it inside `dataDir` are made traversable for that
// user, and one outside that is not fails the call, saying so.
struct DirResult {
  bool ok = true;
  std::string error;
};
DirResult prepareEngineDir(const std::filesystem::path& dir, const EngineUser& user,
                           const std::filesystem::path& dataDir);

// Gives `dir` and everything below it to the engine user (nothing to do when
// engines run as Kura's user): for files Kura makes for an engine to read
// (an opened encrypted backup), which umask 077 keeps from everyone else.
DirResult giveTree(const std::filesystem::path& dir, const EngineUser& user);

}  // namespace kura::engines
