#pragma once
// The data directory is Kura's alone. Kura runs with umask 077, so that what
// it creates is 0700 (directories) or 0600 (files); a data directory left by
// an older Kura (umask 022: 0755 and 0644) is tightened at start: the
// directory itself, its top-level files and every store Kura keeps (catalog,
// trail, DynamoDB, keys, KMS, Secrets Manager, CloudWatch Logs and metrics)
// lose every group and other bit. The engines' trees (rds/, elasticache/)
// are not chased: below their first level they belong to the engine users,
// who keep their files 0700 themselves. Where an engine user must pass
// through a directory of Kura's to reach its own (engines run as other
// users when Kura can switch users), that directory keeps its other-execute
// bit, and only that (prepareEngineDir in src/engines/ sets it).
#include <filesystem>

namespace kura {

// Returns how many entries were tightened.
int tightenDataDir(const std::filesystem::path& dataDir);

}  // namespace kura
