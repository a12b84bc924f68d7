#include "services/secretsmanager/random_password.h"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace kura::secrets {
namespace {

size_t randomBelow(size_t bound) {
  // Rejection sampling: uniform over [0, bound).
  uint32_t limit = UINT32_MAX - UINT32_MAX % static_cast<uint32_t>(bound);
  while (true) {
    uint32_t value = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value) != 1) {
      throw std::runtime_error("the random generator failed");
    }
    if (value < limit) return value % bound;
  }
}

}  // namespace

std::optional<std::string> randomPassword(const PasswordRules& rules) {
  std::vector<std::string> classes;
  auto add = [&](bool excluded, const std::string& characters) {
    if (excluded) return;
    std::string kept;
    for (char ch : characters) {
      if (rules.excludeCharacters.find(ch) == std::string::npos) kept += ch;
    }
    if (!kept.empty()) classes.push_back(kept);
  };
  add(rules.excludeLowercase, "abcdefghijklmnopqrstuvwxyz");
  add(rules.excludeUppercase, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  add(rules.excludeNumbers, "0123456789");
  add(rules.excludePunctuation, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
  add(!rules.includeSpace, " ");
  if (classes.empty() || (rules.requireEachIncludedType && classes.size() > rules.length)) return std::nullopt;
  std::string all;
  for (const std::string& c : classes) all += c;
  while (true) {
    std::string password;
    for (size_t i = 0; i < rules.length; ++i) password += all[randomBelow(all.size())];
    if (!rules.requireEachIncludedType) return password;
    bool each = true;
    for (const std::string& c : classes) each = each && password.find_first_of(c) != std::string::npos;
    if (each) return password;
  }
}

}  // namespace kura::secrets
