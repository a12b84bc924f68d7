#pragma once
// Ed25519 keys for signing trail digests (OpenSSL 3). The private key stays
// in the data directory (mode 0600); the public key is written beside it so
// that `kura trail verify --public-key` can pin it from elsewhere.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/api_error.h"

namespace kura {

class DigestSigner {
 public:
  // Loads the key pair from `dir`, creating it on first use.
  static Result<std::shared_ptr<DigestSigner>> openOrCreate(const std::filesystem::path& dir);
  ~DigestSigner();
  std::string sign(std::string_view message) const;  // raw 64-byte signature
  const std::string& publicKeyPem() const { return publicPem_; }
  std::string fingerprint() const;  // sha256 hex of the public key PEM

 private:
  DigestSigner() = default;
  void* key_ = nullptr;  // EVP_PKEY*
  std::string publicPem_;
};
using DigestSignerPtr = std::shared_ptr<DigestSigner>;

// Verifies an Ed25519 signature with a PEM public key.
bool verifyDigestSignature(std::string_view publicKeyPem, std::string_view message, std::string_view signature);

}  // namespace kura
