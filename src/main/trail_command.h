#pragma once
#include <filesystem>
#include <string>

namespace kura {

struct TrailVerifyArgs {
  std::filesystem::path dataDir = "kura-data";
  std::filesystem::path publicKeyFile;  // pin the digest key; default: the one in the data dir
  bool requireSealed = false;  // the server is stopped: every log file must be sealed by a digest
  bool progress = false;       // progress on stderr even when it is not a terminal
};

// `kura trail verify`: prints every finding and a summary; exit status 0 when
// the trail is intact, 1 on any finding, 2 when it cannot be read.
int runTrailVerify(const TrailVerifyArgs& args);

}  // namespace kura
