#include "common/aes_gcm.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "common/crypto.h"

namespace kura {
namespace {

constexpr int kIvBytes = 12, kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

}  // namespace

std::string aesGcmSeal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  std::string out = randomBytes(kIvBytes);
  out.resize(kIvBytes + plaintext.size() + kTagBytes);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + kIvBytes);
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  bool ok = ctx && key.size() == kAesKeyBytes &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(out)) == 1 &&
            (aad.empty() || EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(aad), static_cast<int>(aad.size())) == 1) &&
            EVP_EncryptUpdate(ctx.get(), cipher, &length, bytes(plaintext), static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), cipher + length, &length) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out.data() + kIvBytes + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
  return out;
}

std::optional<std::string> aesGcmOpen(std::string_view key, std::string_view sealed, std::string_view aad) {
  if (key.size() != kAesKeyBytes || sealed.size() < kAesGcmOverheadBytes) return std::nullopt;
  size_t cipherBytes = sealed.size() - kAesGcmOverheadBytes;
  std::string plain(cipherBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  std::string tag(sealed.substr(kIvBytes + cipherBytes));
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(sealed)) == 1 &&
            (aad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(aad), static_cast<int>(aad.size())) == 1) &&
            EVP_DecryptUpdate(ctx.get(), out, &length, bytes(sealed.substr(kIvBytes)), static_cast<int>(cipherBytes)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), out + length, &length) == 1;
  if (!ok) return std::nullopt;
  return plain;
}

}  // namespace kura
