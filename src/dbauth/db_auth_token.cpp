#include "dbauth/db_auth_token.h"

#include <charconv>


namespace kura::dbauth {
namespace {

// RDS's tokens are a few hundred bytes, with a session's token some more.
constexpr size_t kMaxTokenSize = 8192;
constexpr long kMaxExpiresSeconds = 900;
// A token dated later than now by more than this is refused.
constexpr std::chrono::seconds kMaxSkew(300);

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A query parameter's value, %XX-decoded; nullopt when absent or
// given twice (a token naming two users names none).
std::optional<std::string> parameter(std::string_view query, std::string_view name) {
  std::optional<std::string> found;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(start, amp - start);
    start = amp + 1;
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    if (found) return std::nullopt;
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::string value;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size() && hexDigit(raw[i + 1]) >= 0 && hexDigit(raw[i + 2]) >= 0) {
        value.push_back(static_cast<char>(hexDigit(raw[i + 1]) * 16 + hexDigit(raw[i + 2])));
        i += 2;
      } else {
        value.push_back(raw[i]);
      }
    }
    found = std::move(value);
  }
  return found;
}

DbAuthDecision refused(std::string reason, const DbAuthDecision& known = {}) {
  DbAuthDecision decision = known;
  decision.allowed = false;
  decision.reason = std::move(reason);
  return decision;
}

}  // namespace

std::string dbUserArn(const DbAuthTarget& target, std::string_view user) {
  return "arn:aws:rds-db:" + target.region + ":" + target.accountId + ":dbuser:" + target.resourceId + "/" +
         std::string(user);
}

DbAuthTokenVerifier::DbAuthTokenVerifier(const auth::CredentialStore& credentials, Authorize authorize,
                                         ClockPtr clock)
    : authorize_(std::move(authorize)), signatures_(credentials, std::move(clock), kMaxSkew) {}

DbAuthDecision DbAuthTokenVerifier::verify(std::string_view token, std::string_view dbUser,
                                           const DbAuthTarget& target,
                                           const ClientAddress& client) const {
  if (!target.enabled) return refused("IAM database authentication is not enabled on the instance");
  if (token.empty() || token.size() > kMaxTokenSize) return refused("the password is not an authentication token");
  for (char c : token) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return refused("the password is not an authentication token");
    }
  }
  size_t slash = token.find("/?");
  if (slash == std::string_view::npos || slash == 0) return refused("the password is not an authentication token");
  std::string_view hostPort = token.substr(0, slash);
  std::string_view query = token.substr(slash + 2);
  DbAuthDecision decision;
  auto credentialText = parameter(query, "X-Amz-Credential");
  if (credentialText) decision.accessKeyId = credentialText->substr(0, credentialText->find('/'));
  if (parameter(query, "Action") != "connect") return refused("the token is not for Action=connect", decision);
  auto user = parameter(query, "DBUser");
  if (!user || *user != dbUser) return refused("the token is for another database user", decision);
  auto expires = parameter(query, "X-Amz-Expires");
  long expiresSeconds = 0;
  if (!expires || std::from_chars(expires->data(), expires->data() + expires->size(), expiresSeconds).ec != std::errc() ||
      expiresSeconds < 1 || expiresSeconds > kMaxExpiresSeconds) {
    return refused("the token's X-Amz-Expires is not from 1 to 900 seconds", decision);
  }
  std::string endpoint = lower(hostPort);
  bool known = false;
  for (const std::string& candidate : target.endpoints) known = known || candidate == endpoint;
  if (!known) return refused("the token is for another endpoint than this database's", decision);
  // The presigned GET the client's SDK signed: the path "/" with the
  // query, and the host header it signed (the endpoint, port included).
  std::vector<std::pair<std::string, std::string>> headers = {{"host", std::string(hostPort)}};
  std::string path = "/?" + std::string(query);
  auth::HttpRequestView request{"GET", path, headers, ""};
  auto scope = auth::peekScope(request);
  if (!scope || scope->service != "rds-db") return refused("the token is not signed for the service rds-db", decision);
  if (scope->region != target.region) return refused("the token is signed for another region", decision);
  auto verified = signatures_.verify(request);
  if (auto* error = std::get_if<auth::AuthError>(&verified)) {
    switch (error->failure) {
      case auth::AuthFailure::RequestExpired: return refused("the token has expired", decision);
      case auth::AuthFailure::UnknownAccessKey: return refused("the token's access key is not known", decision);
      case auth::AuthFailure::SignatureMismatch:
        if (error->message.rfind("Signature not yet current", 0) == 0) {
          return refused("the token is dated in the future", decision);
        }
        return refused("the token's signature does not match", decision);
      default: return refused("the token is not a valid presigned request", decision);
    }
  }
  const auth::Identity& identity = std::get<auth::Identity>(verified);
  const auth::Credential& credential = identity.credential;
  decision.principal = credential.userArn.empty() ? "root" : credential.userArn;
  if (credential.accountId != target.accountId) return refused("the token is signed by another account", decision);
  if (credential.userArn.empty()) {  // the account root: no policy restricts it
    decision.allowed = true;
    return decision;
  }
  if (auto denial = authorize_(identity, target.region, dbUserArn(target, dbUser), client)) {
    return refused(*denial, decision);
  }
  decision.allowed = true;
  return decision;
}

}  // namespace kura::dbauth
