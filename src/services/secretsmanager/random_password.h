#pragma once
// GetRandomPassword's generator: characters from the classes asked for,
// at least one of each when RequireEachIncludedType, from OpenSSL's CSPRNG.
#include <optional>
#include <string>

namespace kura::secrets {

struct PasswordRules {
  size_t length = 32;
  std::string excludeCharacters;
  bool excludeNumbers = false;
  bool excludePunctuation = false;
  bool excludeUppercase = false;
  bool excludeLowercase = false;
  bool includeSpace = false;
  bool requireEachIncludedType = true;
};

// Nothing when the rules leave no character to choose from, or fewer
// characters than required classes.
std::optional<std::string> randomPassword(const PasswordRules& rules);

}  // namespace kura::secrets
