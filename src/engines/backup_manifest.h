#pragma once
// The manifest every engine backup carries (kura-manifest.json): the sha256
// of each file below the backup's directory, checked before any restore
// uses a byte of it, plus what the engine records about the backup.
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace kura::engines {

// A file's checksum: sha256 over the sha256 of each 1 MiB chunk (large files
// are hashed in chunks; as strong for corruption checks).
// `relative` is read beneath `root` (never through a link); empty when it
// is not a regular file there.
std::string fileChecksum(const std::filesystem::path& root, const std::filesystem::path& relative);

// Lists every file below `dir` in `header["files"]` and writes the manifest
// there. Returns the files' total size.
uint64_t writeManifest(const std::filesystem::path& dir, nlohmann::json header);

struct ManifestCheck {
  bool ok = false;
  std::string error;  // what is wrong, naming the file
  nlohmann::json manifest;
};
// Reads `dir`'s manifest and checks every file it lists.
ManifestCheck verifyManifest(const std::filesystem::path& dir);

}  // namespace kura::engines
