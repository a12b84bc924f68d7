#include "client/sigv4_signer.h"

#include <algorithm>
#include <cctype>

#include "auth/sigv4_verifier.h"
#include "common/crypto.h"
#include "common/time_format.h"

namespace kura::client {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

void setHeader(HeaderList& headers, std::string_view name, std::string value) {
  std::string wanted = lower(name);
  std::erase_if(headers, [&](const auto& header) { return lower(header.first) == wanted; });
  headers.emplace_back(std::string(name), std::move(value));
}

}  // namespace

SigningTrace signRequest(SignableRequest& request, const AwsCredentials& credentials, const SigningScope& scope,
                         SystemTime now) {
  std::string amzDate = formatAmzDate(now);
  setHeader(request.headers, "X-Amz-Date", amzDate);
  std::string payloadHash = sha256Hex(request.body);
  if (scope.signBody) setHeader(request.headers, "X-Amz-Content-Sha256", payloadHash);
  bool tokenSigned = !credentials.sessionToken.empty() && !scope.omitSessionToken;
  if (tokenSigned) setHeader(request.headers, "X-Amz-Security-Token", credentials.sessionToken);

  std::vector<std::string> signedHeaders;
  for (const auto& header : request.headers) signedHeaders.push_back(lower(header.first));
  std::sort(signedHeaders.begin(), signedHeaders.end());
  signedHeaders.erase(std::unique(signedHeaders.begin(), signedHeaders.end()), signedHeaders.end());

  auth::SigV4Scope signingScope{credentials.accessKeyId, amzDate.substr(0, 8), scope.region, scope.service};
  SigningTrace trace;
  trace.canonicalRequest =
      auth::canonicalRequest(request.method, request.target, request.headers, signedHeaders, payloadHash, false);
  trace.stringToSign = auth::stringToSign(amzDate, signingScope, trace.canonicalRequest);
  trace.signature = auth::signature(credentials.secretAccessKey, amzDate, signingScope, trace.canonicalRequest);

  std::string names;
  for (const std::string& name : signedHeaders) names += (names.empty() ? "" : ";") + name;
  request.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId + "/" +
                                                    signingScope.date + "/" + scope.region + "/" + scope.service +
                                                    "/aws4_request, SignedHeaders=" + names +
                                                    ", Signature=" + trace.signature);
  if (!credentials.sessionToken.empty() && !tokenSigned) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.sessionToken);
  }
  return trace;
}

}  // namespace kura::client
