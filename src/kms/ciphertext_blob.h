#pragma once
// The bytes of a KMS ciphertext as Kura writes them (AWS's are opaque too):
//
//   u8 format (1) | key id (36 ASCII bytes) | u32 material version (BE) |
//   AES-256-GCM(material, plaintext) as iv | ciphertext | tag
//
// The header and the encryption context are the GCM additional data, so a
// blob decrypts only with the same context and cannot be re-labelled.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kura::kms {

using EncryptionContext = std::map<std::string, std::string>;

struct BlobHeader {
  std::string keyId;
  int64_t version = 0;
};

std::string blobHeader(const BlobHeader& header);
// The header of a blob, or nothing when it is not one of Kura's.
std::optional<BlobHeader> parseBlobHeader(std::string_view blob);
size_t blobHeaderSize();
// Length-prefixed, sorted key/value pairs: one text per context.
std::string canonicalContext(const EncryptionContext& context);

}  // namespace kura::kms
