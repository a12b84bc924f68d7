#pragma once
// Seals small secrets (master passwords the controllers need later) before
// they are stored in the catalog: AES-256-GCM under a key kept in the data
// directory (mode 0600), so the catalog file alone reveals no secret.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/api_error.h"

namespace kura {

class SecretBox {
 public:
  static Result<std::shared_ptr<SecretBox>> openOrCreate(const std::filesystem::path& keyFile);
  // base64(iv | ciphertext | tag)
  std::string seal(std::string_view plaintext) const;
  std::optional<std::string> open(std::string_view sealed) const;

 private:
  std::string key_;  // 32 bytes
};
using SecretBoxPtr = std::shared_ptr<SecretBox>;

}  // namespace kura
