#pragma once
// ElastiCache's rules for identifiers and settings, with its error texts.
#include <optional>
#include <string>

#include "common/api_error.h"
#include "services/core/handler_table.h"

namespace kura::elasticache {

// 1-`maxLength` letters, digits or hyphens, starting with a letter, no two
// hyphens in a row and none at the end.
std::optional<ApiError> checkCacheIdentifier(const std::string& id, const char* parameter, size_t maxLength);
// SnapshotRetentionLimit, SnapshotWindow, PreferredMaintenanceWindow and
// CacheNodeType, where given.
std::optional<ApiError> checkSettings(const Json& in);
// CacheNodeType, where given: one of ElastiCache's node types
// (cache/node_type_memory.h), for either engine.
std::optional<ApiError> checkNodeType(const Json& in);

}  // namespace kura::elasticache
