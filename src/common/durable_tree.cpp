#include "common/durable_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace kura {
namespace {

namespace fs = std::filesystem;

// fsync of one file or folder, opened without following a link and
// without blocking (a FIFO put in its place is not waited on).
std::string syncOne(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return "cannot open " + path.string() + ": " + std::strerror(errno);
  struct stat status {};
  std::string error;
  if (::fstat(fd, &status) == 0 && (S_ISREG(status.st_mode) || S_ISDIR(status.st_mode)) && ::fsync(fd) != 0) {
    error = "cannot sync " + path.string() + ": " + std::strerror(errno);
  }
  ::close(fd);
  return error;
}

}  // namespace

std::string syncTree(const fs::path& dir) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) return "cannot read " + dir.string() + ": " + ec.message();
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return "cannot read " + dir.string() + ": " + ec.message();
    auto type = it->symlink_status(ec).type();
    if (type != fs::file_type::regular && type != fs::file_type::directory) continue;
    if (auto error = syncOne(it->path()); !error.empty()) return error;
  }
  if (ec) return "cannot read " + dir.string() + ": " + ec.message();
  if (auto error = syncOne(dir); !error.empty()) return error;
  return syncOne(dir.parent_path());
}

}  // namespace kura
