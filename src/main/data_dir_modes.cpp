#include "main/data_dir_modes.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <string>

namespace kura {
namespace fs = std::filesystem;
namespace {

// The engines' trees: only these and their first level are Kura's.
constexpr std::array kEngineTrees = {"rds", "elasticache"};

// Drops the group and other bits of `path` if Kura owns it (an engine
// user's file is its own business); a directory on an engine's way keeps
// other-execute when `keepPassage`. True if the mode changed.
bool tighten(const fs::path& path, bool keepPassage) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || S_ISLNK(info.st_mode) || info.st_uid != ::geteuid()) return false;
  mode_t mode = info.st_mode & 07777;
  mode_t wanted = mode & ~static_cast<mode_t>(S_IRWXG | S_IRWXO);
  if (keepPassage && S_ISDIR(info.st_mode)) wanted |= mode & S_IXOTH;
  if (wanted == mode) return false;
  return ::chmod(path.c_str(), wanted) == 0;
}

}  // namespace

int tightenDataDir(const fs::path& dataDir) {
  int changed = 0;
  std::error_code ec;
  bool engines = false;
  for (const char* tree : kEngineTrees) engines = engines || fs::exists(dataDir / tree, ec);
  // Engine users pass through the data directory only to reach their trees.
  changed += tighten(dataDir, engines);
  // Everything else below the data directory is one of Kura's own stores
  // (the trail, DynamoDB, keys, every service's database, ...), whatever
  // services a newer Kura adds: tightened throughout.
  for (const auto& entry : fs::directory_iterator(dataDir, ec)) {
    std::string name = entry.path().filename().string();
    if (std::find(kEngineTrees.begin(), kEngineTrees.end(), name) != kEngineTrees.end()) continue;
    changed += tighten(entry.path(), false);
    if (!entry.is_directory(ec) || entry.is_symlink(ec)) continue;
    std::error_code walk;
    for (auto it = fs::recursive_directory_iterator(entry.path(), fs::directory_options::skip_permission_denied, walk);
         !walk && it != fs::recursive_directory_iterator(); it.increment(walk)) {
      changed += tighten(it->path(), false);
    }
  }
  for (const char* tree : kEngineTrees) {
    fs::path root = dataDir / tree;
    if (!fs::exists(root, ec)) continue;
    changed += tighten(root, true);
    for (const auto& entry : fs::directory_iterator(root, ec)) changed += tighten(entry.path(), true);
  }
  return changed;
}

}  // namespace kura
