#include "services/faults/engine_processes.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace kura::faults {
namespace fs = std::filesystem;
namespace {

std::string readSmallFile(const fs::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text, '\0');
  return text;
}

// parent and start time from /proc/<pid>/stat, after "pid (comm) ";
// false for a zombie or a process gone.
bool readStat(pid_t pid, EngineProcess& out) {
  std::string stat = readSmallFile(fs::path("/proc") / std::to_string(pid) / "stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  std::istringstream fields(stat.substr(close + 2));
  std::string state;
  fields >> state >> out.parent;
  if (!fields || state == "Z" || state == "X") return false;
  // Fields 5 to 21 of stat(5), then starttime (the 22nd).
  std::string skipped;
  for (int field = 5; field <= 21 && fields; ++field) fields >> skipped;
  fields >> out.startTicks;
  out.pid = pid;
  return static_cast<bool>(fields);
}

bool beneath(const fs::path& path, const fs::path& dir) {
  auto mismatch = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return mismatch.first == dir.end();
}

}  // namespace

std::vector<EngineProcess> processesBeneath(const fs::path& dir) {
  return processesBeneath(std::vector<fs::path>{dir}).front();
}

std::vector<std::vector<EngineProcess>> processesBeneath(const std::vector<fs::path>& dirs) {
  std::vector<std::vector<EngineProcess>> found(dirs.size());
  std::vector<std::pair<fs::path, size_t>> wanted;  // each searchable dir, with its answer's index
  for (size_t at = 0; at < dirs.size(); ++at) {
    std::error_code ec;
    fs::path dir = fs::weakly_canonical(dirs[at], ec);
    if (!ec && !dir.empty() && dir != dir.root_path()) wanted.emplace_back(std::move(dir), at);
  }
  if (wanted.empty()) return found;
  bool root = ::geteuid() == 0;
  pid_t self = ::getpid();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == self) continue;
    struct stat owner {};
    if (::stat(entry.path().c_str(), &owner) != 0 || (root && owner.st_uid == 0)) continue;
    std::error_code linkError;
    fs::path cwd = fs::read_symlink(entry.path() / "cwd", linkError);
    if (linkError) continue;
    EngineProcess process;
    bool read = false;
    for (const auto& [dir, at] : wanted) {
      if (!beneath(cwd, dir)) continue;
      if (!read && !(read = readStat(pid, process))) break;
      found[at].push_back(process);
    }
  }
  return found;
}

std::vector<EngineProcess> serversOf(const std::vector<EngineProcess>& processes) {
  std::vector<EngineProcess> servers;
  for (const auto& process : processes) {
    bool childOfOne = std::any_of(processes.begin(), processes.end(),
                                  [&](const EngineProcess& other) { return other.pid == process.parent; });
    if (!childOfOne) servers.push_back(process);
  }
  return servers;
}

int signalEach(const std::vector<EngineProcess>& processes, int signal) {
  int signalled = 0;
  for (const auto& process : processes) {
    EngineProcess now;
    if (!readStat(process.pid, now) || now.startTicks != process.startTicks) continue;
    if (::kill(process.pid, signal) == 0) ++signalled;
  }
  return signalled;
}

}  // namespace kura::faults
