#pragma once
#include <filesystem>

namespace kura {

// The bytes of the regular files below `path` (or of `path` itself);
// symbolic links are not followed, what cannot be read counts 0.
double bytesBelow(const std::filesystem::path& path);

}  // namespace kura
