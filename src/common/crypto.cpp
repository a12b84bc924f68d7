#include "common/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace kura {

namespace {

// OpenSSL 3 looks an algorithm up by name (under a lock) every time
// EVP_sha256() or HMAC() is used; these run several times for every signed
// request (SigV4), so the algorithms are fetched once and each thread
// keeps its own contexts.
EVP_MD* sha256Algorithm() {
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return algorithm;
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

struct HmacContext {
  EVP_MAC_CTX* ctx = nullptr;
  HmacContext() {
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (hmac == nullptr) return;
    ctx = EVP_MAC_CTX_new(hmac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    if (ctx != nullptr && EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      ctx = nullptr;
    }
  }
  ~HmacContext() {
    EVP_MAC_CTX_free(ctx);
    OPENSSL_cleanse(key.data(), key.size());
  }
  std::string key;     // the key ctx was last initialised with,
  bool keyed = false;  // once that succeeded
};

}  // namespace

std::string sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  thread_local DigestContext local;
  if (sha256Algorithm() == nullptr || local.ctx == nullptr ||
      EVP_DigestInit_ex2(local.ctx, sha256Algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(local.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(local.ctx, digest, &length) != 1) {
    throw std::runtime_error("sha256 failed");
  }
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string sha1(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("sha1 failed");
  }
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string sha256Hex(std::string_view data) { return toHex(sha256(data)); }

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t length = 0;
  thread_local HmacContext local;
  // The context keeps its digest, and the last key it was given: a null
  // key pointer makes EVP_MAC_init start again from that key's prepared
  // state (SigV4 signs every request of the day with the same key, and
  // preparing a key costs two digest blocks). Any other key is set anew;
  // the keys are compared in constant time.
  static const unsigned char kNoKey[1] = {0};
  const unsigned char* keyBytes = key.empty() ? kNoKey : reinterpret_cast<const unsigned char*>(key.data());
  bool sameKey = local.keyed && constantTimeEquals(key, local.key);
  if (!sameKey) {
    local.keyed = false;
    OPENSSL_cleanse(local.key.data(), local.key.size());  // no old key left behind the new one
    local.key.assign(key);
  }
  if (local.ctx == nullptr || EVP_MAC_init(local.ctx, sameKey ? nullptr : keyBytes, sameKey ? 0 : key.size(), nullptr) != 1 ||
      EVP_MAC_update(local.ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(local.ctx, digest, &length, sizeof(digest)) != 1) {
    throw std::runtime_error("hmac-sha256 failed");
  }
  local.keyed = true;
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string toHex(std::string_view bytes) {
  // Two digits per byte from one table (this runs several times per request).
  static constexpr auto kPairs = [] {
    constexpr char kDigits[] = "0123456789abcdef";
    std::array<std::array<char, 2>, 256> pairs{};
    for (size_t b = 0; b < 256; ++b) pairs[b] = {kDigits[b >> 4], kDigits[b & 0x0f]};
    return pairs;
  }();
  std::string out(bytes.size() * 2, '\0');
  char* at = out.data();
  for (unsigned char byte : bytes) {
    std::memcpy(at, kPairs[byte].data(), 2);
    at += 2;
  }
  return out;
}

bool fromHex(std::string_view hex, std::string& out) {
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return false;
  out.clear();
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return true;
}

std::string randomBytes(size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

bool base64Decode(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  for (char c : text) {
    bool valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/' || c == '=';
    if (!valid) return false;
  }
  out.assign(3 * text.size() / 4, '\0');
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (written < 0) return false;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding++;
  if (text.size() > 1 && text[text.size() - 2] == '=') padding++;
  out.resize(static_cast<size_t>(written) - padding);
  return true;
}

}  // namespace kura
