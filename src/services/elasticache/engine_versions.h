#pragma once
// Engine versions: Kura runs the redis-server and memcached Debian
// installed, one version of each, and upgrades nothing. A Modify call's
// EngineVersion may name the running version (7.0.15, 7.0, 7 or 7.x for
// Redis; 1.6.18 or 1.6 for memcached), which changes nothing; any other is
// refused as ElastiCache refuses a version it does not have
// (InvalidParameterCombination, "Cannot find version ..."), saying what
// runs, and an older one as a downgrade.
#include <optional>
#include <string>

#include "common/api_error.h"

namespace kura::elasticache {

// Whether `wanted` names the installed version of `engine` ("redis",
// "memcached").
bool namesInstalledVersion(const std::string& engine, const std::string& wanted, const std::string& installed);
// InvalidParameterCombination for an EngineVersion the host cannot run (a
// downgrade among them).
std::optional<ApiError> checkEngineVersionChange(const std::string& engine, const std::string& wanted,
                                                 const std::string& installed);

}  // namespace kura::elasticache
