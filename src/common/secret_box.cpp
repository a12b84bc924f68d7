#include "common/secret_box.h"

#include "common/aes_gcm.h"
#include "common/crypto.h"
#include "common/key_file.h"

namespace kura {
namespace {

constexpr size_t kKeyBytes = kAesKeyBytes;

}  // namespace

Result<std::shared_ptr<SecretBox>> SecretBox::openOrCreate(const std::filesystem::path& keyFile) {
  auto key = readOrCreateKeyFile(keyFile, kKeyBytes);
  if (!key) return key.error();
  auto box = std::make_shared<SecretBox>();
  box->key_ = std::move(*key);
  return box;
}

std::string SecretBox::seal(std::string_view plaintext) const { return base64Encode(aesGcmSeal(key_, plaintext)); }

std::optional<std::string> SecretBox::open(std::string_view sealed) const {
  std::string raw;
  if (!base64Decode(sealed, raw)) return std::nullopt;
  return aesGcmOpen(key_, raw);
}

}  // namespace kura
