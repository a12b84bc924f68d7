#include "kms/ciphertext_blob.h"

namespace kura::kms {
namespace {

constexpr unsigned char kFormat = 1;
constexpr size_t kKeyIdBytes = 36;
constexpr size_t kHeaderBytes = 1 + kKeyIdBytes + 4;

void appendLength(std::string& out, size_t length) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xff));
}

}  // namespace

size_t blobHeaderSize() { return kHeaderBytes; }

std::string blobHeader(const BlobHeader& header) {
  std::string out(1, static_cast<char>(kFormat));
  out += header.keyId;
  out.resize(1 + kKeyIdBytes, '\0');
  appendLength(out, static_cast<size_t>(header.version));
  return out;
}

std::optional<BlobHeader> parseBlobHeader(std::string_view blob) {
  if (blob.size() < kHeaderBytes || static_cast<unsigned char>(blob[0]) != kFormat) return std::nullopt;
  BlobHeader header;
  header.keyId = std::string(blob.substr(1, kKeyIdBytes));
  int64_t version = 0;
  for (size_t i = 0; i < 4; ++i) version = (version << 8) | static_cast<unsigned char>(blob[1 + kKeyIdBytes + i]);
  header.version = version;
  return header;
}

std::string canonicalContext(const EncryptionContext& context) {
  std::string out;
  for (const auto& [key, value] : context) {  // std::map: sorted by key
    appendLength(out, key.size());
    out += key;
    appendLength(out, value.size());
    out += value;
  }
  return out;
}

}  // namespace kura::kms
