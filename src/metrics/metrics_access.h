#pragma once
// Who may read /_kura/metrics. On a server bound to loopback, anyone who
// reaches it (as the API itself, whose default credentials are test/test
// there). Bound elsewhere, only a request carrying configured credentials
// (--access-key-id and --secret-access-key, or the credentials file; not an
// IAM user's keys):
//   - SigV4-signed (any region and service in its scope), as the API's
//     calls are; or
//   - HTTP Basic with the access key id as user name and the secret as
//     password (Prometheus' basic_auth): the secret crosses the wire, so
//     only over HTTPS (--tls) unless the network is trusted.
// Anything else is answered 401 with a WWW-Authenticate challenge.
#include <optional>

#include "auth/sigv4_verifier.h"
#include "common/clock.h"
#include "http/http_message.h"

namespace kura::metrics {

class MetricsAccess {
 public:
  // `open`: the server is bound to loopback. `configured`: the configured
  // credentials alone.
  MetricsAccess(bool open, const auth::CredentialStore& configured, ClockPtr clock);
  // Empty when the request may read the metrics; otherwise the answer.
  std::optional<HttpResponse> refusal(const HttpRequest& request) const;

 private:
  bool basicAllowed(std::string_view authorization) const;

  bool open_;
  const auth::CredentialStore& configured_;
  auth::SigV4Verifier verifier_;
};

}  // namespace kura::metrics
