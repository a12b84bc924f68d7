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

std::string syncPath(const fs::path& path) { return syncOne(path); }

std::string GrowingFolderSync::sync(const fs::path& dir, double syncedBefore) {
  std::lock_guard lock(mutex_);
  auto known = synced_.find(dir.string());
  const bool first = known == synced_.end();
  std::set<std::string> now;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    struct stat status {};
    if (::lstat(it->path().c_str(), &status) != 0 || !S_ISREG(status.st_mode)) continue;
    std::string key = it->path().filename().string() + " " + std::to_string(status.st_ino) + " " +
                      std::to_string(status.st_size) + " " + std::to_string(status.st_mtim.tv_sec) + "." +
                      std::to_string(status.st_mtim.tv_nsec);
    const bool knownSynced = first ? status.st_mtim.tv_sec < syncedBefore : known->second.contains(key);
    if (!knownSynced) {
      if (auto error = syncOne(it->path()); !error.empty()) return error;
    }
    now.insert(std::move(key));
  }
  if (ec) {
    synced_.erase(dir.string());  // gone (a deleted instance's): nothing to remember
    return "cannot read " + dir.string() + ": " + ec.message();
  }
  // The folder's entries (the names renamed into it), and the first time
  // the folder's own name.
  if (auto error = syncOne(dir); !error.empty()) return error;
  if (first) {
    if (auto error = syncOne(dir.parent_path()); !error.empty()) return error;
  }
  // Only what the folder still holds is remembered (pruned files go).
  synced_[dir.string()] = std::move(now);
  // A folder that went (a deleted instance's archive, never synced again)
  // is forgotten with what it held, checked now and then.
  if (++calls_ % kForgetEvery == 0) {
    for (auto it = synced_.begin(); it != synced_.end();) {
      struct stat status {};
      it = ::lstat(it->first.c_str(), &status) != 0 && errno == ENOENT ? synced_.erase(it) : std::next(it);
    }
  }
  return "";
}

size_t GrowingFolderSync::folders() const {
  std::lock_guard lock(mutex_);
  return synced_.size();
}

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
