#include "services/elasticache/engine_versions.h"

#include <cstdio>
#include <utility>

namespace kura::elasticache {

bool namesInstalledVersion(const std::string& engine, const std::string& wanted, const std::string& installed) {
  if (installed.empty() || wanted.empty()) return false;
  size_t firstDot = installed.find('.');
  std::string major = installed.substr(0, firstDot);
  size_t secondDot = firstDot == std::string::npos ? std::string::npos : installed.find('.', firstDot + 1);
  std::string majorMinor = installed.substr(0, secondDot);
  if (wanted == installed || wanted == majorMinor) return true;
  // ElastiCache names Redis 6 and later by major version too ("7.x" once).
  return engine == "redis" && (wanted == major || wanted == major + ".x");
}

namespace {

// The leading numbers of a version ("7.0.15" -> 7, 0; "6.x" -> 6, -1).
std::pair<int, int> majorMinorOf(const std::string& version) {
  int major = -1;
  int minor = -1;
  std::sscanf(version.c_str(), "%d.%d", &major, &minor);
  return {major, minor};
}

}  // namespace

std::optional<ApiError> checkEngineVersionChange(const std::string& engine, const std::string& wanted,
                                                 const std::string& installed) {
  if (namesInstalledVersion(engine, wanted, installed)) return std::nullopt;
  auto [major, minor] = majorMinorOf(wanted);
  auto [runningMajor, runningMinor] = majorMinorOf(installed);
  if (major >= 0 && (major < runningMajor || (major == runningMajor && minor >= 0 && minor < runningMinor))) {
    return ApiError::sender("InvalidParameterCombination",
                            "Cannot downgrade " + engine + " from version " + installed + " to " + wanted +
                                ": ElastiCache upgrades an engine, never downgrades it.");
  }
  return ApiError::sender("InvalidParameterCombination",
                          "Cannot find version " + wanted + " for " + engine + ": this Kura host runs " + engine +
                              " " + installed + " (the version its Debian packages install), and no other.");
}

}  // namespace kura::elasticache
