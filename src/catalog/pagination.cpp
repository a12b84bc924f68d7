#include "catalog/pagination.h"

#include <algorithm>

#include "common/crypto.h"

namespace kura {
namespace {

ApiError invalidToken(const std::string& errorCode) {
  return ApiError::sender(errorCode, "The pagination token is not valid; pass the token that the previous page returned.");
}

}  // namespace

std::string encodePageToken(const nlohmann::json& position) { return base64Encode(position.dump()); }

Result<nlohmann::json> decodePageToken(std::string_view token, const std::string& errorCode) {
  std::string text;
  if (token.empty() || !base64Decode(token, text)) return invalidToken(errorCode);
  auto position = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!position.is_object()) return invalidToken(errorCode);  // also a parse failure (discarded)
  return position;
}

std::string encodeAfterName(std::string_view lastName) {
  return encodePageToken(nlohmann::json{{"after", std::string(lastName)}});
}

Result<std::string> decodeAfterName(std::string_view token, const std::string& errorCode) {
  auto position = decodePageToken(token, errorCode);
  if (!position) return position.error();
  auto after = position->find("after");
  if (after == position->end() || !after->is_string()) return invalidToken(errorCode);
  return after->get<std::string>();
}

size_t clampPageSize(std::optional<int64_t> requested, const PageSizeLimits& limits) {
  if (!requested) return static_cast<size_t>(limits.defaultSize);
  return static_cast<size_t>(std::clamp(*requested, limits.min, limits.max));
}

}  // namespace kura
