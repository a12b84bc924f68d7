#pragma once
// ElastiCache's rules for AUTH tokens and users' passwords, and what Kura
// keeps of them: their SHA-256, the form Redis ACLs take (`#<hex>`), sealed
// in the catalog. Neither is ever stored, logged or written to an event in
// plaintext (the trail hides both members: isSecretMember).
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/secret_box.h"

namespace kura::elasticache {

// 16-128 printable characters; the non-alphanumeric ones among
// ! & # $ ^ < > - (ElastiCache's "AUTH token constraints").
std::optional<ApiError> checkAuthToken(const std::string& token);
// A user's password: 16-128 printable ASCII characters, no spaces.
std::optional<ApiError> checkUserPassword(const std::string& password);
// SHA-256 of a token or password, lower-case hex.
std::string passwordHash(const std::string& password);
// Hashes sealed for the catalog, and opened again (empty if unreadable).
std::string sealHashes(const SecretBox& secrets, const std::vector<std::string>& hashes);
std::vector<std::string> openHashes(const SecretBox& secrets, const std::string& sealed);

}  // namespace kura::elasticache
