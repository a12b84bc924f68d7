#include "auth/sigv4a.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <cstdint>
#include <memory>

#include "common/crypto.h"

namespace kura::auth {
namespace {

template <auto Free>
struct Freer {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Bignum = std::unique_ptr<BIGNUM, Freer<BN_free>>;
using SecretBignum = std::unique_ptr<BIGNUM, Freer<BN_clear_free>>;  // wiped when freed
using Group = std::unique_ptr<EC_GROUP, Freer<EC_GROUP_free>>;
using Point = std::unique_ptr<EC_POINT, Freer<EC_POINT_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Freer<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Freer<OSSL_PARAM_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX_free>>;

void appendBigEndian32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

// The private scalar: for counter 1, 2, ... the KDF's 256-bit output k
// (input key "AWS4A" + secret; fixed input: i = 1, the label, a zero byte,
// the access key id and the counter, L = 256), the first with k <= n - 2,
// plus one (so that it lies in [1, n - 1]).
SecretBignum derivePrivateScalar(std::string_view accessKeyId, std::string_view secret, const EC_GROUP* group) {
  std::string inputKey = "AWS4A" + std::string(secret);
  Bignum limit(BN_dup(EC_GROUP_get0_order(group)));
  if (!limit || BN_sub_word(limit.get(), 2) != 1) return nullptr;
  for (int counter = 1; counter <= 254; ++counter) {
    std::string fixed;
    appendBigEndian32(fixed, 1);
    fixed += kSigV4aAlgorithm;
    fixed.push_back('\0');
    fixed += accessKeyId;
    fixed.push_back(static_cast<char>(counter));
    appendBigEndian32(fixed, 256);
    std::string k = hmacSha256(inputKey, fixed);
    SecretBignum scalar(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(k.data()), static_cast<int>(k.size()), nullptr));
    if (!scalar) return nullptr;
    if (BN_cmp(scalar.get(), limit.get()) > 0) continue;
    if (BN_add_word(scalar.get(), 1) != 1) return nullptr;
    return scalar;
  }
  return nullptr;
}

struct DerivedKey {
  std::string accessKeyId, secret;
  SigV4aPublicKey coordinates;
  Pkey key;
};

bool derive(std::string_view accessKeyId, std::string_view secret, DerivedKey& out) {
  Group group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  if (!group) return false;
  SecretBignum scalar = derivePrivateScalar(accessKeyId, secret, group.get());
  Point point(EC_POINT_new(group.get()));
  if (!scalar || !point || EC_POINT_mul(group.get(), point.get(), scalar.get(), nullptr, nullptr, nullptr) != 1) {
    return false;
  }
  unsigned char octets[65];
  size_t size = EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, octets, sizeof octets,
                                   nullptr);
  if (size != sizeof octets) return false;
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, octets, size) != 1) {
    return false;
  }
  Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  PkeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return false;
  }
  std::string raw(reinterpret_cast<const char*>(octets) + 1, 64);
  out = {std::string(accessKeyId), std::string(secret), {toHex(raw.substr(0, 32)), toHex(raw.substr(32))}, Pkey(key)};
  return true;
}

// A scalar multiplication per derivation: each thread keeps the last key it
// derived (a client signs many requests with one credential).
const DerivedKey* derivedKey(std::string_view accessKeyId, std::string_view secret) {
  thread_local DerivedKey cached;
  if (cached.key && cached.accessKeyId == accessKeyId && cached.secret == secret) return &cached;
  cached.key.reset();
  if (!derive(accessKeyId, secret, cached)) {
    ERR_clear_error();
    return nullptr;
  }
  return &cached;
}

}  // namespace

std::optional<SigV4aPublicKey> sigv4aPublicKey(std::string_view accessKeyId, std::string_view secret) {
  const DerivedKey* key = derivedKey(accessKeyId, secret);
  if (key == nullptr) return std::nullopt;
  return key->coordinates;
}

std::string sigv4aStringToSign(std::string_view amzDate, std::string_view date, std::string_view service,
                               std::string_view canonicalRequestText) {
  std::string out;
  out.reserve(160);
  out += kSigV4aAlgorithm;
  out += '\n';
  out += amzDate;
  out += '\n';
  out += date;
  out += '/';
  out += service;
  out += "/aws4_request\n";
  out += sha256Hex(canonicalRequestText);
  return out;
}

bool sigv4aVerify(std::string_view accessKeyId, std::string_view secret, std::string_view stringToSign,
                  std::string_view signatureHex) {
  // A DER ECDSA P-256 signature is at most 72 bytes.
  std::string der;
  if (signatureHex.empty() || signatureHex.size() > 144 || !fromHex(signatureHex, der)) return false;
  const DerivedKey* key = derivedKey(accessKeyId, secret);
  if (key == nullptr) return false;
  DigestContext context(EVP_MD_CTX_new());
  bool valid = context && EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key->key.get()) == 1 &&
               EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                                reinterpret_cast<const unsigned char*>(stringToSign.data()), stringToSign.size()) == 1;
  // A refused signature leaves OpenSSL's error on this thread's queue: not for the next TLS call to find.
  if (!valid) ERR_clear_error();
  return valid;
}

}  // namespace kura::auth
