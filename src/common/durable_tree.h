#pragma once
// Makes a folder that Kura is about to report as done (a snapshot, a
// backup shown `available`) survive a power loss: every regular file and
// folder under it is fsynced, then the folder itself and the folder that
// holds it (so that its name is on disk too). Links are never followed and
// nothing but regular files and folders is opened: an engine may have
// written the tree.
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace kura {

// An error text (empty on success) naming what could not be synced.
std::string syncTree(const std::filesystem::path& dir);

// fsync of one regular file or folder (a link is never followed; anything
// else is left alone). An error text, empty on success.
std::string syncPath(const std::filesystem::path& path);

// A folder that only grows by whole files renamed into it (a WAL or binary
// log archive): sync() makes every file in it durable, and its own entries,
// before what they hold is counted (LatestRestorableTime). Files already
// synced by this object (same name, inode, size and time) are not synced
// again, so a pass over an archive of thousands of segments costs one
// fsync per new file and one for the folder.
class GrowingFolderSync {
 public:
  // An error text, empty once every file in `dir` at the time of the call,
  // the folder, and (the first time) the folder holding it are synced.
  // `syncedBefore` (epoch seconds): files last written before it are known
  // to be synced already (an earlier run counted them only once synced),
  // so that the first pass after a start does not sync a whole archive.
  std::string sync(const std::filesystem::path& dir, double syncedBefore = 0);
  // The folders remembered (for tests): every kForgetEvery calls, those
  // gone are forgotten.
  size_t folders() const;
  static constexpr uint64_t kForgetEvery = 64;

 private:
  mutable std::mutex mutex_;
  uint64_t calls_ = 0;  // successful sync() calls (guarded by mutex_)
  // Per folder, the files it held, as "name inode size mtime", that are synced.
  std::map<std::string, std::set<std::string>> synced_;
};

}  // namespace kura
