#pragma once
// Pagination as the AWS APIs do it: an opaque Marker / NextToken the client
// hands back, and a bounded page size (RDS MaxRecords: 20..100, default 100).
// A token is base64 of a JSON object naming the position after the last item
// returned; clients must not rely on its contents.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api_error.h"

namespace kura {

// `position` must be a JSON object.
std::string encodePageToken(const nlohmann::json& position);

// The position inside a token, or ApiError{400, errorCode} for anything this
// process did not write (not base64, not JSON, not an object). The caller
// chooses the code its API uses: "InvalidParameterValue" for RDS,
// "ValidationException" for DynamoDB, ...
Result<nlohmann::json> decodePageToken(std::string_view token, const std::string& errorCode);

// The common case of lists ordered by name: the token holds the last name
// returned, to pass as Catalog::listResources' afterName.
std::string encodeAfterName(std::string_view lastName);
Result<std::string> decodeAfterName(std::string_view token, const std::string& errorCode);

struct PageSizeLimits {
  int64_t min;
  int64_t max;
  int64_t defaultSize;
};
inline constexpr PageSizeLimits kRdsMaxRecords{20, 100, 100};

// The requested page size brought into [min, max]; the default if absent.
size_t clampPageSize(std::optional<int64_t> requested, const PageSizeLimits& limits);

}  // namespace kura
