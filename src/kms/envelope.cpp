#include "kms/envelope.h"

#include "common/aes_gcm.h"

namespace kura::kms {
namespace {

constexpr std::string_view kMagic = "KENV1";

}  // namespace

bool isEnvelope(std::string_view bytes) { return bytes.substr(0, kMagic.size()) == kMagic; }

Result<std::string> sealEnvelope(KeyManager& keys, const Place& place, const std::string& keyRef,
                                 std::string_view plaintext, const EncryptionContext& context) {
  auto dataKey = keys.generateDataKey(place, keyRef, kAesKeyBytes, context);
  if (!dataKey) return dataKey.error();
  std::string out(kMagic);
  size_t length = dataKey->blob.size();
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xff));
  out += dataKey->blob;
  out += aesGcmSeal(dataKey->plaintext, plaintext, canonicalContext(context));
  return out;
}

Result<std::string> openEnvelope(KeyManager& keys, const Place& place, std::string_view sealed,
                                 const EncryptionContext& context) {
  ApiError damaged = ApiError::sender("InvalidCiphertextException", "The sealed data is damaged.");
  if (!isEnvelope(sealed) || sealed.size() < kMagic.size() + 4) return damaged;
  size_t length = 0;
  for (size_t i = 0; i < 4; ++i) length = (length << 8) | static_cast<unsigned char>(sealed[kMagic.size() + i]);
  size_t start = kMagic.size() + 4;
  if (sealed.size() < start + length) return damaged;
  auto dataKey = keys.decrypt(place, std::string(sealed.substr(start, length)), context);
  if (!dataKey) return dataKey.error();
  auto plain = aesGcmOpen(dataKey->plaintext, sealed.substr(start + length), canonicalContext(context));
  if (!plain) return damaged;
  return std::move(*plain);
}

}  // namespace kura::kms
