#include "services/elasticache/auth_token.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/crypto.h"

namespace kura::elasticache {
namespace {

bool printable(char ch) { return ch > ' ' && ch < 127; }

}  // namespace

std::optional<ApiError> checkAuthToken(const std::string& token) {
  // The message never quotes the token: errors reach logs and the trail.
  if (token.size() < 16 || token.size() > 128) {
    return ApiError::sender("InvalidParameterValue",
                            "Invalid AuthToken provided: it must be 16 to 128 printable characters long.");
  }
  bool allowed = std::all_of(token.begin(), token.end(), [](char ch) {
    return printable(ch) && (std::isalnum(static_cast<unsigned char>(ch)) || std::strchr("!&#$^<>-", ch) != nullptr);
  });
  if (!allowed) {
    return ApiError::sender("InvalidParameterValue",
                            "Invalid AuthToken provided: its non-alphanumeric characters must be among !, &, #, $, ^, "
                            "<, > and -.");
  }
  return std::nullopt;
}

std::optional<ApiError> checkUserPassword(const std::string& password) {
  if (password.size() < 16 || password.size() > 128) {
    return ApiError::sender("InvalidParameterValue", "Passwords length must be between 16-128 characters.");
  }
  if (!std::all_of(password.begin(), password.end(), printable)) {
    return ApiError::sender("InvalidParameterValue",
                            "Passwords must be printable ASCII characters without spaces.");
  }
  return std::nullopt;
}

std::string passwordHash(const std::string& password) { return sha256Hex(password); }

std::string sealHashes(const SecretBox& secrets, const std::vector<std::string>& hashes) {
  return secrets.seal(nlohmann::json(hashes).dump());
}

std::vector<std::string> openHashes(const SecretBox& secrets, const std::string& sealed) {
  auto opened = secrets.open(sealed);
  if (!opened) return {};
  auto parsed = nlohmann::json::parse(*opened, nullptr, false);
  if (!parsed.is_array()) return {};
  std::vector<std::string> hashes;
  for (const auto& hash : parsed) {
    if (hash.is_string()) hashes.push_back(hash.get<std::string>());
  }
  return hashes;
}

}  // namespace kura::elasticache
