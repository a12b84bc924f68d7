#include "services/elasticache/elasticache_validation.h"

#include <cctype>

#include "cache/node_type_memory.h"
#include "common/daily_window.h"
#include "services/rds/rds_validation.h"

namespace kura::elasticache {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

}  // namespace

std::optional<ApiError> checkCacheIdentifier(const std::string& id, const char* parameter, size_t maxLength) {
  bool valid = !id.empty() && id.size() <= maxLength && std::isalpha(static_cast<unsigned char>(id[0])) &&
               id.back() != '-' && id.find("--") == std::string::npos;
  for (char ch : id) valid = valid && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-');
  if (valid) return std::nullopt;
  return invalid(std::string("The parameter ") + parameter +
                 " is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII "
                 "letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.");
}

std::optional<ApiError> checkSettings(const Json& in) {
  if (in.contains("SnapshotRetentionLimit")) {
    int64_t days = in["SnapshotRetentionLimit"];
    if (days < 0 || days > 35) return invalid("SnapshotRetentionLimit must be between 0 and 35.");
  }
  if (in.contains("SnapshotWindow")) {
    auto window = parseDailyWindow(in["SnapshotWindow"].get<std::string>());
    if (!window) return invalid("The parameter SnapshotWindow must be provided in the format hh24:mi-hh24:mi.");
    if (window->minutes() < 60) return invalid("The snapshot window must be at least 60 minutes.");
  }
  if (in.contains("PreferredMaintenanceWindow")) {
    if (auto error = rds::checkMaintenanceWindow(in["PreferredMaintenanceWindow"].get<std::string>())) return error;
  }
  return checkNodeType(in);
}

std::optional<ApiError> checkNodeType(const Json& in) {
  // Only a type whose memory Kura knows: its nodes are bounded by it (a
  // made-up name would run a node with neither maxmemory nor a bound).
  if (in.contains("CacheNodeType") && !cache::nodeTypeMaxMemory(in["CacheNodeType"].get<std::string>())) {
    return invalid("Invalid Cache Node Type: " + in["CacheNodeType"].get<std::string>() + ".");
  }
  return std::nullopt;
}

}  // namespace kura::elasticache
