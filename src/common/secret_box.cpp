#include "common/secret_box.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/crypto.h"

namespace kura {
namespace {

constexpr size_t kKeyBytes = 32, kIvBytes = 12, kTagBytes = 16;

}  // namespace

Result<std::shared_ptr<SecretBox>> SecretBox::openOrCreate(const std::filesystem::path& keyFile) {
  auto box = std::make_shared<SecretBox>();
  std::error_code ec;
  if (std::filesystem::exists(keyFile, ec)) {
    std::ifstream in(keyFile, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    box->key_ = buffer.str();
    if (box->key_.size() != kKeyBytes) return ApiError::internal("the key file " + keyFile.string() + " is damaged");
    return box;
  }
  std::filesystem::create_directories(keyFile.parent_path(), ec);
  box->key_ = randomBytes(kKeyBytes);
  std::filesystem::path tmp = keyFile;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    ::chmod(tmp.c_str(), 0600);
    out << box->key_;
    if (!out.flush()) return ApiError::internal("cannot write " + keyFile.string());
  }
  std::filesystem::rename(tmp, keyFile, ec);
  if (ec) return ApiError::internal("cannot write " + keyFile.string());
  return box;
}

std::string SecretBox::seal(std::string_view plaintext) const {
  std::string iv = randomBytes(kIvBytes);
  std::string out = iv;
  out.resize(kIvBytes + plaintext.size() + kTagBytes);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + kIvBytes);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int length = 0, total = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  EVP_EncryptUpdate(ctx, cipher, &length, reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  total = length;
  EVP_EncryptFinal_ex(ctx, cipher + total, &length);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, out.data() + kIvBytes + plaintext.size());
  EVP_CIPHER_CTX_free(ctx);
  return base64Encode(out);
}

std::optional<std::string> SecretBox::open(std::string_view sealed) const {
  std::string raw;
  if (!base64Decode(sealed, raw) || raw.size() < kIvBytes + kTagBytes) return std::nullopt;
  size_t cipherBytes = raw.size() - kIvBytes - kTagBytes;
  std::string plain(cipherBytes, '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int length = 0;
  EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                     reinterpret_cast<const unsigned char*>(raw.data()));
  EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()), &length,
                    reinterpret_cast<const unsigned char*>(raw.data() + kIvBytes), static_cast<int>(cipherBytes));
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, raw.data() + kIvBytes + cipherBytes);
  bool ok = EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(plain.data()) + length, &length) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return plain;
}

}  // namespace kura
