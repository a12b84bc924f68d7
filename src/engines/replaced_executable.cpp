#include "engines/replaced_executable.h"

#include <sys/stat.h>

#include <string>

namespace kura::engines {

std::optional<bool> runsReplacedExecutable(pid_t pid, const std::filesystem::path& installed) {
  if (pid <= 1) return std::nullopt;
  struct stat running {};
  struct stat onDisk {};
  std::string exe = "/proc/" + std::to_string(pid) + "/exe";
  if (::stat(exe.c_str(), &running) != 0 || ::stat(installed.c_str(), &onDisk) != 0) return std::nullopt;
  return running.st_dev != onDisk.st_dev || running.st_ino != onDisk.st_ino;
}

}  // namespace kura::engines
