#include "auth/sigv4_verifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "auth/ascii_case.h"
#include "auth/sigv4a.h"
#include "common/crypto.h"
#include "common/time_format.h"

namespace kura::auth {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr long kMaxPresignedSeconds = 604800;

// `name` is lower-case; the header's own name may be in any case.
std::string_view headerValue(const HttpRequestView& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (lowersTo(key, name)) return value;
  }
  return {};
}

std::string_view queryOf(std::string_view target) {
  size_t mark = target.find('?');
  return mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1);
}

// A query parameter's value, %XX-decoded; empty if absent.
std::optional<std::string> queryParameter(std::string_view query, std::string_view name) {
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(start, amp - start);
    start = amp + 1;
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size()) {
        int value = 0;
        auto [end, ec] = std::from_chars(raw.data() + i + 1, raw.data() + i + 3, value, 16);
        if (ec == std::errc() && end == raw.data() + i + 3) {
          out.push_back(static_cast<char>(value));
          i += 2;
          continue;
        }
      }
      out.push_back(raw[i]);
    }
    return out;
  }
  return std::nullopt;
}

bool isSigV4a(std::string_view algorithm) { return algorithm == kSigV4aAlgorithm; }

// "AKID/20150830/us-east-1/service/aws4_request"; SigV4a's has no region
// ("AKID/20150830/service/aws4_request": the region set is a header).
std::optional<SigV4Scope> parseCredential(std::string_view text, bool sigv4a = false) {
  const size_t wanted = sigv4a ? 4 : 5;
  std::string_view parts[5];
  size_t count = 0, start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    if (count == wanted) return std::nullopt;
    parts[count++] = text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (count != wanted || parts[wanted - 1] != "aws4_request" || parts[0].empty() || parts[1].size() != 8) {
    return std::nullopt;
  }
  if (sigv4a) return SigV4Scope{std::string(parts[0]), std::string(parts[1]), "", std::string(parts[2])};
  return SigV4Scope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
}

// SigV4a's region set: the X-Amz-Region-Set header (the query parameter of
// a presigned request). Kura serves every region at one endpoint, so the
// set must name the one region the request is for: a wildcard or a list
// would leave it unknown.
std::optional<std::string> regionSetOf(const HttpRequestView& request, std::string_view query, bool presigned) {
  std::string set = presigned ? queryParameter(query, "X-Amz-Region-Set").value_or("")
                              : std::string(headerValue(request, "x-amz-region-set"));
  bool oneRegion = !set.empty() && set.size() <= 64 && std::all_of(set.begin(), set.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!oneRegion) return std::nullopt;
  return set;
}

struct SignatureParts {
  bool sigv4a = false;
  SigV4Scope scope;
  std::vector<std::string> signedHeaders;
  std::string signature;
  std::string amzDate;
  bool presigned = false;
  long expiresSeconds = 0;
};

std::vector<std::string> splitSignedHeaders(std::string_view text) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= text.size()) {
    size_t semicolon = text.find(';', start);
    if (semicolon == std::string_view::npos) semicolon = text.size();
    if (semicolon > start) names.push_back(asciiLowered(text.substr(start, semicolon - start)));
    start = semicolon + 1;
  }
  return names;
}

// An Authorization header's fields as views into it (the last of each
// wins). One reader for the scope's peek before routing and for the
// verification, so that the peek copies nothing and splits no header list.
struct AuthorizationFields {
  std::string_view algorithm;
  std::optional<std::string_view> credential, signedHeaders, signature;
  bool complete() const { return credential && signedHeaders && signature; }
};

AuthorizationFields authorizationFields(std::string_view header) {
  AuthorizationFields fields;
  size_t space = header.find(' ');
  fields.algorithm = header.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? std::string_view() : header.substr(space + 1);
  size_t start = 0;
  while (start < rest.size()) {
    size_t comma = rest.find(',', start);
    if (comma == std::string_view::npos) comma = rest.size();
    std::string_view part = rest.substr(start, comma - start);
    start = comma + 1;
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = part.substr(0, eq);
    std::string_view value = part.substr(eq + 1);
    if (key == "Credential") fields.credential = value;
    if (key == "SignedHeaders") fields.signedHeaders = value;
    if (key == "Signature") fields.signature = value;
  }
  return fields;
}

std::variant<SignatureParts, AuthError> parseAuthorization(std::string_view header) {
  auto incomplete = [](std::string message) { return AuthError{AuthFailure::IncompleteSignature, std::move(message)}; };
  AuthorizationFields fields = authorizationFields(header);
  std::string_view algorithm = fields.algorithm;
  if (algorithm != kAlgorithm && !isSigV4a(algorithm)) {
    return AuthError{AuthFailure::UnsupportedAlgorithm,
                     "Unsupported AWS 'algorithm': '" + std::string(algorithm) + "'. Use AWS4-HMAC-SHA256."};
  }
  if (!fields.complete()) {
    return incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. "
                      "Authorization=" + std::string(algorithm));
  }
  auto scope = parseCredential(*fields.credential, isSigV4a(algorithm));
  if (!scope) return incomplete("Credential should be scoped to a valid region and service, with a 'aws4_request' terminator.");
  SignatureParts parts;
  parts.sigv4a = isSigV4a(algorithm);
  parts.scope = *scope;
  parts.signedHeaders = splitSignedHeaders(*fields.signedHeaders);
  parts.signature = std::string(*fields.signature);
  return parts;
}

std::variant<SignatureParts, AuthError> parsePresigned(std::string_view query) {
  auto incomplete = [](std::string message) { return AuthError{AuthFailure::IncompleteSignature, std::move(message)}; };
  auto algorithm = queryParameter(query, "X-Amz-Algorithm");
  if (!algorithm || (*algorithm != kAlgorithm && !isSigV4a(*algorithm))) {
    return AuthError{AuthFailure::UnsupportedAlgorithm, "Unsupported X-Amz-Algorithm: " + algorithm.value_or("")};
  }
  auto credential = queryParameter(query, "X-Amz-Credential");
  auto date = queryParameter(query, "X-Amz-Date");
  auto signedHeaders = queryParameter(query, "X-Amz-SignedHeaders");
  auto signature = queryParameter(query, "X-Amz-Signature");
  auto expires = queryParameter(query, "X-Amz-Expires");
  if (!credential || !date || !signedHeaders || !signature || !expires) {
    return incomplete("A presigned request needs X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders "
                      "and X-Amz-Signature.");
  }
  auto scope = parseCredential(*credential, isSigV4a(*algorithm));
  if (!scope) return incomplete("X-Amz-Credential should be scoped to a valid region and service.");
  SignatureParts parts;
  parts.sigv4a = isSigV4a(*algorithm);
  parts.scope = *scope;
  parts.signedHeaders = splitSignedHeaders(*signedHeaders);
  parts.signature = *signature;
  parts.amzDate = *date;
  parts.presigned = true;
  auto [end, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), parts.expiresSeconds);
  if (ec != std::errc() || end != expires->data() + expires->size() || parts.expiresSeconds < 1 ||
      parts.expiresSeconds > kMaxPresignedSeconds) {
    return incomplete("X-Amz-Expires must be a number of seconds from 1 to 604800.");
  }
  return parts;
}

std::string minus(SystemTime t, std::chrono::seconds s) { return formatAmzDate(t - s); }

}  // namespace

std::optional<Credential> StaticCredentialStore::find(std::string_view accessKeyId) const {
  auto it = credentials_.find(accessKeyId);
  if (it == credentials_.end()) return std::nullopt;
  return it->second;
}

std::optional<SigV4Scope> peekScope(const HttpRequestView& request) {
  std::string_view header = headerValue(request, "authorization");
  if (!header.empty()) {
    // What parseAuthorization accepts, without its copies and header list.
    AuthorizationFields fields = authorizationFields(header);
    if ((fields.algorithm != kAlgorithm && !isSigV4a(fields.algorithm)) || !fields.complete()) return std::nullopt;
    auto scope = parseCredential(*fields.credential, isSigV4a(fields.algorithm));
    if (scope && isSigV4a(fields.algorithm)) scope->region = regionSetOf(request, "", false).value_or("");
    return scope;
  }
  std::string_view query = queryOf(request.target);
  auto credential = queryParameter(query, "X-Amz-Credential");
  if (!credential) return std::nullopt;
  bool sigv4a = isSigV4a(queryParameter(query, "X-Amz-Algorithm").value_or(""));
  auto scope = parseCredential(*credential, sigv4a);
  if (scope && sigv4a) scope->region = regionSetOf(request, query, true).value_or("");
  return scope;
}

SigV4Verifier::SigV4Verifier(const CredentialStore& credentials, ClockPtr clock, std::chrono::seconds maxSkew)
    : credentials_(credentials), clock_(std::move(clock)), maxSkew_(maxSkew) {}

std::variant<Identity, AuthError> SigV4Verifier::verify(const HttpRequestView& request) const {
  std::string_view header = headerValue(request, "authorization");
  std::string_view query = queryOf(request.target);
  std::variant<SignatureParts, AuthError> parsed;
  if (!header.empty()) {
    parsed = parseAuthorization(header);
  } else if (queryParameter(query, "X-Amz-Algorithm")) {
    parsed = parsePresigned(query);
  } else {
    return AuthError{AuthFailure::MissingAuthentication, "Request is missing Authentication Token"};
  }
  if (auto* error = std::get_if<AuthError>(&parsed)) return *error;
  SignatureParts& parts = std::get<SignatureParts>(parsed);

  if (!parts.presigned) {
    parts.amzDate = std::string(headerValue(request, "x-amz-date"));
    if (parts.amzDate.empty()) {
      return AuthError{AuthFailure::IncompleteSignature,
                       "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."};
    }
  }
  auto date = parseTimestamp(parts.amzDate);
  if (!date || parts.amzDate.size() != 16) {
    return AuthError{AuthFailure::InvalidDate, "Invalid X-Amz-Date '" + parts.amzDate + "': use the form YYYYMMDD'T'HHMMSS'Z'."};
  }
  if (parts.amzDate.substr(0, 8) != parts.scope.date) {
    return AuthError{AuthFailure::SignatureMismatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                                                     "version of date from HTTP: '" + parts.scope.date + "' != '" +
                                                         parts.amzDate.substr(0, 8) + "'"};
  }
  if (std::find(parts.signedHeaders.begin(), parts.signedHeaders.end(), "host") == parts.signedHeaders.end()) {
    return AuthError{AuthFailure::SignatureMismatch, "'Host' must be a signed header."};
  }
  if (parts.sigv4a) {
    auto set = regionSetOf(request, query, parts.presigned);
    if (!set) {
      return AuthError{AuthFailure::IncompleteSignature,
                       "Kura serves every region at one endpoint: X-Amz-Region-Set must name the one region the "
                       "request is for (such as us-east-1), not a wildcard or a list."};
    }
    if (!parts.presigned && std::find(parts.signedHeaders.begin(), parts.signedHeaders.end(), "x-amz-region-set") ==
                                parts.signedHeaders.end()) {
      return AuthError{AuthFailure::SignatureMismatch, "'X-Amz-Region-Set' must be a signed header."};
    }
    parts.scope.region = std::move(*set);
  }
  SystemTime now = clock_->now();
  if (parts.presigned) {
    if (now > *date + std::chrono::seconds(parts.expiresSeconds)) {
      return AuthError{AuthFailure::RequestExpired, "Request has expired"};
    }
    if (*date > now + maxSkew_) {
      return AuthError{AuthFailure::SignatureMismatch, "Signature not yet current: " + parts.amzDate +
                                                           " is still later than " + formatAmzDate(now + maxSkew_)};
    }
  } else if (*date < now - maxSkew_) {
    return AuthError{AuthFailure::SignatureMismatch,
                     fmt::format("Signature expired: {} is now earlier than {} ({} - 15 min.)", parts.amzDate,
                                 minus(now, maxSkew_), formatAmzDate(now))};
  } else if (*date > now + maxSkew_) {
    return AuthError{AuthFailure::SignatureMismatch,
                     fmt::format("Signature not yet current: {} is still later than {} ({} + 15 min.)", parts.amzDate,
                                 formatAmzDate(now + maxSkew_), formatAmzDate(now))};
  }

  auto credential = credentials_.find(parts.scope.accessKeyId);
  if (!credential) {
    return AuthError{AuthFailure::UnknownAccessKey, "The security token included in the request is invalid."};
  }
  if (!credential->sessionToken.empty()) {
    // Temporary credentials: the token issued with them, in the header or
    // (presigned) the query, and not past their expiry.
    std::string token(headerValue(request, "x-amz-security-token"));
    if (token.empty()) token = queryParameter(query, "X-Amz-Security-Token").value_or("");
    if (!constantTimeEquals(token, credential->sessionToken)) {
      return AuthError{AuthFailure::UnknownAccessKey, "The security token included in the request is invalid."};
    }
    if (now >= credential->expiresAt) {
      return AuthError{AuthFailure::ExpiredToken, "The security token included in the request is expired"};
    }
  } else if (!headerValue(request, "x-amz-security-token").empty() ||
             !queryParameter(query, "X-Amz-Security-Token").value_or("").empty()) {
    // A long-term key with a session token: no token was issued with it,
    // and AWS refuses the request as it refuses a wrong token.
    return AuthError{AuthFailure::UnknownAccessKey, "The security token included in the request is invalid."};
  }

  // The payload hash the client signed: its x-amz-content-sha256 when sent
  // (checked against the body when it is a hash), UNSIGNED-PAYLOAD or the
  // body's hash for presigned URLs, else the body's hash.
  std::string candidates[2];
  size_t candidateCount = 0;
  std::string_view declared = headerValue(request, "x-amz-content-sha256");
  if (!declared.empty() && !parts.presigned) {
    bool special = declared == kUnsignedPayload || declared.rfind("STREAMING-", 0) == 0;
    if (!special && asciiLowered(declared) != sha256Hex(request.body)) {
      return AuthError{AuthFailure::SignatureMismatch,
                       "The provided 'x-amz-content-sha256' header does not match what was computed."};
    }
    candidates[candidateCount++] = declared;
  } else if (parts.presigned) {
    candidates[candidateCount++] = kUnsignedPayload;
    candidates[candidateCount++] = sha256Hex(request.body);
  } else {
    candidates[candidateCount++] = sha256Hex(request.body);
  }
  for (char& c : parts.signature) c = asciiLower(c);
  bool tokenInQuery = parts.presigned && queryParameter(query, "X-Amz-Security-Token").has_value();
  // The path as the services Kura speaks sign it (normalized), then, when
  // that differs, as it was sent (signers that do not normalize, S3's): a
  // signature over the very path sent binds the request no less.
  for (bool normalizePath : {true, false}) {
    if (!normalizePath) {
      std::string_view path = request.target.substr(0, request.target.find('?'));
      if (literalCanonicalUri(path) == canonicalUri(path)) break;
    }
    for (bool skipToken : {false, true}) {
      if (skipToken && !tokenInQuery) break;
      for (size_t i = 0; i < candidateCount; ++i) {
        std::string canonical = canonicalRequest(request.method, request.target, request.headers, parts.signedHeaders,
                                                 candidates[i], parts.presigned, skipToken, normalizePath);
        bool matches =
            parts.sigv4a
                ? sigv4aVerify(credential->accessKeyId, credential->secretAccessKey,
                               sigv4aStringToSign(parts.amzDate, parts.scope.date, parts.scope.service, canonical),
                               parts.signature)
                : constantTimeEquals(signature(credential->secretAccessKey, parts.amzDate, parts.scope, canonical),
                                     parts.signature);
        if (matches) {
          return Identity{std::move(*credential), std::move(parts.scope), parts.presigned};
        }
      }
    }
  }
  return AuthError{AuthFailure::SignatureMismatch,
                   "The request signature we calculated does not match the signature you provided. Check your AWS "
                   "Secret Access Key and signing method. Consult the service documentation for details."};
}

ApiError toApiError(const AuthError& error, std::string_view protocol) {
  bool json = protocol == "json";
  switch (error.failure) {
    case AuthFailure::MissingAuthentication:
      return json ? ApiError::sender("MissingAuthenticationTokenException", "Missing Authentication Token", 400)
                  : ApiError::sender("MissingAuthenticationToken", error.message, 403);
    case AuthFailure::IncompleteSignature:
    case AuthFailure::InvalidDate:
    case AuthFailure::UnsupportedAlgorithm:
      return ApiError::sender(json ? "IncompleteSignatureException" : "IncompleteSignature", error.message, 400);
    case AuthFailure::UnknownAccessKey:
      if (protocol == "ec2") {
        return ApiError::sender("AuthFailure", "AWS was not able to validate the provided access credentials", 401);
      }
      return json ? ApiError::sender("UnrecognizedClientException", error.message, 400)
                  : ApiError::sender("InvalidClientTokenId", error.message, 403);
    case AuthFailure::SignatureMismatch:
      return json ? ApiError::sender("InvalidSignatureException", error.message, 400)
                  : ApiError::sender("SignatureDoesNotMatch", error.message, 403);
    case AuthFailure::ExpiredToken:
      // EC2 words an expired credential as an expired request.
      if (protocol == "ec2") return ApiError::sender("RequestExpired", error.message, 400);
      return json ? ApiError::sender("ExpiredTokenException", error.message, 400)
                  : ApiError::sender("ExpiredToken", error.message, 403);
    case AuthFailure::RequestExpired:
      return json ? ApiError::sender("InvalidSignatureException", error.message, 400)
                  : ApiError::sender("RequestExpired", error.message, 403);
  }
  return ApiError::sender("IncompleteSignature", error.message, 400);
}

}  // namespace kura::auth
