#pragma once
// Signature Version 4a (AWS4-ECDSA-P256-SHA256): the asymmetric form some
// SDKs sign with (the AWS Common Runtime's signer, multi-region requests).
// The signer's ECDSA P-256 key is derived from its secret access key (NIST
// SP 800-108 counter mode on HMAC-SHA256, as aws-c-auth derives it), so a
// server that knows the secret knows the public key and verifies.
//
// OpenSSL has ECDSA and the curve but no SigV4a key derivation: the
// derivation (a dozen lines) is written here.
#include <optional>
#include <string>
#include <string_view>

namespace kura::auth {

constexpr std::string_view kSigV4aAlgorithm = "AWS4-ECDSA-P256-SHA256";

// The public key derived from a credential, as the uncompressed point's
// coordinates in lower-case hex (64 digits each); none if OpenSSL fails.
struct SigV4aPublicKey {
  std::string x, y;
};
std::optional<SigV4aPublicKey> sigv4aPublicKey(std::string_view accessKeyId, std::string_view secret);

// "AWS4-ECDSA-P256-SHA256\n<amz date>\n<date>/<service>/aws4_request\n<hex SHA-256 of the canonical request>"
std::string sigv4aStringToSign(std::string_view amzDate, std::string_view date, std::string_view service,
                               std::string_view canonicalRequestText);

// Whether `signatureHex` (a DER ECDSA signature in hex) signs `stringToSign`
// with the key derived from the credential.
bool sigv4aVerify(std::string_view accessKeyId, std::string_view secret, std::string_view stringToSign,
                  std::string_view signatureHex);

}  // namespace kura::auth
