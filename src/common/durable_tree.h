#pragma once
// Makes a folder that Kura is about to report as done (a snapshot, a
// backup shown `available`) survive a power loss: every regular file and
// folder under it is fsynced, then the folder itself and the folder that
// holds it (so that its name is on disk too). Links are never followed and
// nothing but regular files and folders is opened: an engine may have
// written the tree.
#include <filesystem>
#include <string>

namespace kura {

// An error text (empty on success) naming what could not be synced.
std::string syncTree(const std::filesystem::path& dir);

}  // namespace kura
