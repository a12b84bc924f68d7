#pragma once
// AES-256-GCM on OpenSSL 3: the one authenticated cipher Kura seals data
// with (catalog secrets, KMS key material and ciphertexts, envelopes).
#include <optional>
#include <string>
#include <string_view>

namespace kura {

inline constexpr size_t kAesKeyBytes = 32;
inline constexpr size_t kAesGcmOverheadBytes = 12 + 16;  // iv, tag

// iv | ciphertext | tag, with a fresh random 96-bit iv. `key` is 32 bytes;
// `aad` is authenticated but not encrypted.
std::string aesGcmSeal(std::string_view key, std::string_view plaintext, std::string_view aad = {});
// The plaintext, or nothing when the bytes, the key or the aad do not match.
std::optional<std::string> aesGcmOpen(std::string_view key, std::string_view sealed, std::string_view aad = {});

}  // namespace kura
