#pragma once
// Signs an outgoing request with AWS Signature Version 4 (header form), on
// the canonical-request pieces the server's verifier uses (src/auth).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/aws_environment.h"
#include "common/clock.h"

namespace kura::client {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct SignableRequest {
  std::string method = "POST";
  std::string target = "/";  // path plus optional ?query, as it goes on the wire
  HeaderList headers;        // must hold Host; X-Amz-Date and the token are added
  std::string body;
};

struct SigningScope {
  std::string region, service;
  bool omitSessionToken = false;  // sign without the token, add it after (STS's old form)
  bool signBody = false;          // send and sign X-Amz-Content-Sha256 (S3 wants it; others accept it)
};

struct SigningTrace {  // the intermediate texts, for tests and debugging
  std::string canonicalRequest, stringToSign, signature;
};

// Adds X-Amz-Date, X-Amz-Security-Token (with a session token) and
// Authorization to the request's headers; every header present is signed.
SigningTrace signRequest(SignableRequest& request, const AwsCredentials& credentials, const SigningScope& scope,
                         SystemTime now);

}  // namespace kura::client
