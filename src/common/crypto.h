#pragma once
// Hashes and MACs on OpenSSL 3, as the signing and the trail need them.
#include <string>
#include <string_view>

namespace kura {

std::string sha256(std::string_view data);       // raw 32 bytes
std::string sha256Hex(std::string_view data);    // lower-case hex
// Raw 20 bytes; only where a format asks for it (MySQL's native password hash).
std::string sha1(std::string_view data);
std::string hmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string toHex(std::string_view bytes);
// Hex digits (either case) to bytes; false on an odd count or a non-hex digit.
bool fromHex(std::string_view hex, std::string& out);
std::string randomBytes(size_t count);
// Compares two strings in time independent of where they differ.
bool constantTimeEquals(std::string_view a, std::string_view b);
std::string base64Encode(std::string_view bytes);
// Returns false on input that is not valid base64.
bool base64Decode(std::string_view text, std::string& out);

}  // namespace kura
