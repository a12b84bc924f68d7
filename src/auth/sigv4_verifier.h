#pragma once
// AWS Signature Version 4: verification of header-signed and presigned
// requests, and the pure pieces (canonical request, string to sign, signing
// key) that AWS's published test suite checks one by one.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/api_error.h"
#include "common/clock.h"

namespace kura::auth {

struct HttpRequestView {
  std::string_view method;
  std::string_view target;  // raw path plus optional ?query, as on the wire
  const std::vector<std::pair<std::string, std::string>>& headers;  // as received, in order
  std::string_view body;
};

struct SigV4Scope {
  std::string accessKeyId, date, region, service;
};

struct Credential {
  std::string accessKeyId, secretAccessKey, accountId, userName;
  // An IAM user's id (AIDA...) and ARN; both empty for the account root
  // (Kura's configured credentials), which no policy restricts. For a
  // role's session, "<role id>:<session name>" and the session's ARN
  // (arn:aws:sts::<account>:assumed-role/<role>/<session>).
  std::string userId, userArn;
  std::string principalType = "Root";  // "Root", "IAMUser" or "AssumedRole"
  // Temporary credentials (STS): the token every request must carry
  // (X-Amz-Security-Token), when they expire, and when they were issued.
  std::string sessionToken;
  SystemTime expiresAt{};
  SystemTime issuedAt{};
  // An assumed role's session: its role (record name as given, ARN, id AROA...).
  std::string roleName, roleArn, roleId;
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  virtual std::optional<Credential> find(std::string_view accessKeyId) const = 0;
};

class StaticCredentialStore final : public CredentialStore {
 public:
  void add(Credential credential) { credentials_[credential.accessKeyId] = std::move(credential); }
  std::optional<Credential> find(std::string_view accessKeyId) const override;

 private:
  std::map<std::string, Credential, std::less<>> credentials_;
};

struct Identity {
  Credential credential;
  SigV4Scope scope;
  bool presigned = false;
};

enum class AuthFailure {
  MissingAuthentication,
  IncompleteSignature,
  UnknownAccessKey,
  SignatureMismatch,
  RequestExpired,
  ExpiredToken,  // temporary credentials past their expiry
  InvalidDate,
  UnsupportedAlgorithm
};

struct AuthError {
  AuthFailure failure;
  std::string message;
};

// For routing only: the credential scope, unverified.
std::optional<SigV4Scope> peekScope(const HttpRequestView& request);

class SigV4Verifier {
 public:
  SigV4Verifier(const CredentialStore& credentials, ClockPtr clock,
                std::chrono::seconds maxSkew = std::chrono::minutes(15));
  std::variant<Identity, AuthError> verify(const HttpRequestView& request) const;

 private:
  const CredentialStore& credentials_;
  ClockPtr clock_;
  std::chrono::seconds maxSkew_;
};

// The error a service answers for a failure: protocol "query", "ec2" or "json".
ApiError toApiError(const AuthError& error, std::string_view protocol);

// --- The pure pieces ---------------------------------------------------------
// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, the rest
// %XX in upper case; '/' kept when keepSlash.
std::string uriEncode(std::string_view text, bool keepSlash);
// The path normalized (., .., repeated slashes) and encoded once more.
std::string canonicalUri(std::string_view rawPath);
// The path as it was sent, encoded once more: the form of signers that do
// not normalize (S3's; the suite's "normalize": false cases).
std::string literalCanonicalUri(std::string_view rawPath);
// Sorted, re-encoded query parameters; `skipSignature` drops X-Amz-Signature,
// `skipSecurityToken` an X-Amz-Security-Token added after signing (the
// "omit session token" form some SDKs use for presigned URLs).
std::string canonicalQuery(std::string_view rawQuery, bool skipSignature, bool skipSecurityToken = false);
std::string canonicalHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::vector<std::string>& signedHeaders);
std::string canonicalRequest(std::string_view method, std::string_view target,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::vector<std::string>& signedHeaders, std::string_view payloadHash,
                             bool presigned, bool skipSecurityToken = false, bool normalizePath = true);
std::string stringToSign(std::string_view amzDate, const SigV4Scope& scope, std::string_view canonicalRequestText);
std::string signingKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);
std::string signature(std::string_view secret, std::string_view amzDate, const SigV4Scope& scope,
                      std::string_view canonicalRequestText);

}  // namespace kura::auth
