#include "main/data_dir_modes.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>

namespace kura {
namespace fs = std::filesystem;
namespace {

// Kura's own stores, below the data directory.
constexpr std::array kStores = {"trail", "dynamodb", "dynamodb-backups", "keys", "kms", "secretsmanager", "logs",
                                "monitoring"};
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
  for (const auto& entry : fs::directory_iterator(dataDir, ec)) {
    if (entry.is_regular_file(ec)) changed += tighten(entry.path(), false);
  }
  for (const char* store : kStores) {
    fs::path root = dataDir / store;
    if (!fs::exists(root, ec)) continue;
    changed += tighten(root, false);
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
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
