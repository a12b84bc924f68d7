#include "services/elasticache/engine_versions.h"

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

std::optional<ApiError> checkEngineVersionChange(const std::string& engine, const std::string& wanted,
                                                 const std::string& installed) {
  if (namesInstalledVersion(engine, wanted, installed)) return std::nullopt;
  return ApiError::sender("InvalidParameterValue",
                          "Cannot upgrade " + engine + " to version " + wanted + ": this Kura host runs " + engine +
                              " " + installed + " (the version its Debian packages install), and no other.");
}

}  // namespace kura::elasticache
