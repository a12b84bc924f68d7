#pragma once
// One HTTP(S) exchange with an endpoint over Boost.Beast and OpenSSL: the
// server certificate is verified against the system's CA store (or
// AWS_CA_BUNDLE's file) and the endpoint's name; every step has a deadline.
#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "client/endpoint.h"
#include "client/sigv4_signer.h"

namespace kura::client {

struct HttpAnswer {
  int status = 0;
  HeaderList headers;
  std::string body;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // An answer, or one sentence saying why there is none.
  virtual std::variant<HttpAnswer, std::string> send(const Endpoint& endpoint, const SignableRequest& request) = 0;
};
using HttpTransportPtr = std::unique_ptr<HttpTransport>;

struct TransportOptions {
  std::chrono::seconds timeout{30};
  std::string caBundleFile;  // empty: the system's CA store
};

HttpTransportPtr makeBeastTransport(TransportOptions options);

}  // namespace kura::client
