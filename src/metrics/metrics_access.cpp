#include "metrics/metrics_access.h"

#include <variant>

#include "common/crypto.h"

namespace kura::metrics {
namespace {

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t index = 0; index < prefix.size(); ++index) {
    char a = text[index], b = prefix[index];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

}  // namespace

MetricsAccess::MetricsAccess(bool open, const auth::CredentialStore& configured, ClockPtr clock)
    : open_(open), configured_(configured), verifier_(configured, std::move(clock)) {}

bool MetricsAccess::basicAllowed(std::string_view authorization) const {
  std::string decoded;
  if (!base64Decode(authorization.substr(6), decoded)) return false;
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  auto credential = configured_.find(std::string_view(decoded).substr(0, colon));
  if (!credential || !credential->sessionToken.empty()) return false;
  return constantTimeEquals(std::string_view(decoded).substr(colon + 1), credential->secretAccessKey);
}

std::optional<HttpResponse> MetricsAccess::refusal(const HttpRequest& request) const {
  if (open_) return std::nullopt;
  std::string_view authorization = request.header("Authorization");
  if (startsWithNoCase(authorization, "basic ")) {
    if (basicAllowed(authorization)) return std::nullopt;
  } else if (!authorization.empty() || request.query().find("X-Amz-Signature=") != std::string_view::npos) {
    auth::HttpRequestView view{request.method, request.target, request.headers, request.body};
    if (std::holds_alternative<auth::Identity>(verifier_.verify(view))) return std::nullopt;
  }
  HttpResponse refused;
  refused.status = 401;
  refused.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  refused.headers.emplace_back("WWW-Authenticate", "Basic realm=\"kura metrics\"");
  refused.body = "Kura's metrics need configured credentials off loopback: a SigV4-signed request, or HTTP Basic "
                 "with the access key id and secret.\n";
  return refused;
}

}  // namespace kura::metrics
