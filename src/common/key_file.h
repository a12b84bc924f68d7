#pragma once
// Kura's own keys on disk: 32 random bytes in a file of mode 0600, created
// atomically (temporary file, then rename) the first time.
#include <filesystem>
#include <string>
#include <string_view>

#include "common/api_error.h"

namespace kura {

Result<std::string> readOrCreateKeyFile(const std::filesystem::path& keyFile, size_t bytes = 32);
// An existing key file: 32 raw bytes, or their base64 on one line.
Result<std::string> readKeyFile(const std::filesystem::path& keyFile, size_t bytes = 32);
// Writes `text` to `keyFile` (mode 0600) as readOrCreateKeyFile does: to
// a temporary file beside it, synced, then renamed over it.
bool writeKeyFile(const std::filesystem::path& keyFile, std::string_view text);

}  // namespace kura
