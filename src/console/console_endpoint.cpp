#include "console/console_endpoint.h"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <map>
#include <set>
#include <variant>

#include <nlohmann/json.hpp>

#include "client/protocol_codec.h"
#include "client/sigv4_signer.h"
#include "common/crypto.h"
#include "common/time_format.h"
#include "console/console_assets.h"
#include "protocol/model_registry.h"

namespace kura::console {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kCookieName = "kura_console";
constexpr std::string_view kApiPrefix = "/_kura/console/api/";
constexpr size_t kMaxKeyIdLength = 128;
constexpr size_t kMaxSecretLength = 256;
// A console request's body: a sign-in or one call's input is small, and
// nothing is parsed before this is checked.
constexpr size_t kMaxConsoleBodyBytes = 64 * 1024;

// What the pages call, by signing name: reading the fleet, its backups,
// events, alarms and trail, and the actions a resource's page offers.
// Anything else is refused before it is signed.
const std::map<std::string, std::set<std::string, std::less<>>, std::less<>>& allowedCalls() {
  static const std::map<std::string, std::set<std::string, std::less<>>, std::less<>> kAllowed = {
      {"rds",
       {"DescribeDBInstances", "DescribeDBClusters", "DescribeDBSnapshots", "DescribeDBClusterSnapshots",
        "DescribeEvents", "RebootDBInstance", "FailoverDBCluster"}},
      {"elasticache",
       {"DescribeReplicationGroups", "DescribeCacheClusters", "DescribeSnapshots", "DescribeEvents", "TestFailover"}},
      {"dynamodb", {"ListTables", "DescribeTable", "DescribeContinuousBackups", "ListBackups"}},
      {"monitoring", {"DescribeAlarms"}},
      {"cloudtrail", {"LookupEvents"}},
      {"ec2", {"DescribeAvailabilityZones"}},
      {"sts", {"GetCallerIdentity"}},
  };
  return kAllowed;
}

// Every answer of the console: nothing loads from elsewhere, nothing runs
// inline, no other site may frame it, nothing is cached.
void addSecurityHeaders(HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
                                "object-src 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  response.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
}

HttpResponse jsonAnswer(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

HttpResponse refusal(int status, std::string_view code, std::string_view message) {
  return jsonAnswer(status, {{"error", {{"code", code}, {"message", message}}}});
}

// A request from the console's own origin: an Origin header, when sent,
// names this server, and a browser's Sec-Fetch-Site says same-origin.
bool sameOrigin(const HttpRequest& request, bool secure) {
  std::string_view origin = request.header("Origin");
  if (!origin.empty()) {
    std::string expected = std::string(secure ? "https://" : "http://") + std::string(request.header("Host"));
    if (origin != expected) return false;
  }
  std::string_view site = request.header("Sec-Fetch-Site");
  return site.empty() || site == "same-origin";
}

// The browser runs on this machine: a secret it posts over plain HTTP
// never crosses a network.
bool loopbackClient(const HttpRequest& request) {
  std::string_view address = request.remoteAddress;
  if (address.starts_with("::ffff:")) address.remove_prefix(7);
  return address.starts_with("127.") || address == "::1";
}

bool isHexToken(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The console's cookie among the request's Cookie headers (empty if none).
std::string cookieToken(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (name.size() != 6 || strncasecmp(name.c_str(), "cookie", 6) != 0) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t end = rest.find(';');
      std::string_view pair = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t equals = pair.find('=');
      if (equals == std::string_view::npos || pair.substr(0, equals) != kCookieName) continue;
      std::string_view token = pair.substr(equals + 1);
      if (isHexToken(token)) return std::string(token);
    }
  }
  return {};
}

bool validRegion(const std::string& region) {
  return !region.empty() && region.size() <= 32 &&
         region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

std::optional<Json> jsonBody(const HttpRequest& request) {
  if (!request.header("Content-Type").starts_with("application/json")) return std::nullopt;
  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

std::string stringField(const Json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// One AWS call made as `credentials`: encoded as its service's clients
// encode it, signed, and handed to the API's handler as if it had come
// from the console's own client.
std::variant<Json, client::CallError> forward(const ApiHandler& api, const HttpRequest& from,
                                              const client::AwsCredentials& credentials, const std::string& region,
                                              std::string_view service, std::string_view operationName,
                                              const Json& input, SystemTime now) {
  const ServiceModel* model = ModelRegistry::embedded().bySigningName(service);
  const Operation* operation = model != nullptr ? model->findOperation(operationName) : nullptr;
  if (operation == nullptr) {
    return client::CallError{client::CallErrorKind::Usage, 400, "InvalidAction",
                             "no operation " + std::string(operationName) + " of " + std::string(service)};
  }
  client::SignableRequest outgoing;
  outgoing.target = "/";
  std::string host(from.header("Host"));
  outgoing.headers.emplace_back("Host", host.empty() ? "localhost" : host);
  outgoing.headers.emplace_back("User-Agent", "kura-console");
  try {
    client::encodeCall(*model, *operation, input, outgoing);
  } catch (const std::exception& error) {
    return client::CallError{client::CallErrorKind::Usage, 400, "ValidationError", error.what()};
  }
  client::signRequest(outgoing, credentials, client::SigningScope{region, model->signingName()}, now);
  HttpRequest inner;
  inner.method = outgoing.method;
  inner.target = outgoing.target;
  inner.headers = std::move(outgoing.headers);
  inner.body = std::move(outgoing.body);
  inner.remoteAddress = from.remoteAddress;
  HttpResponse answer = api(inner);
  return client::decodeAnswer(*model, *operation, client::HttpAnswer{answer.status, answer.headers, answer.body});
}

// A value for a log line's quoted field: no quote, backslash or control
// character of it can end the field or start a line.
std::string logged(std::string_view value) {
  std::string out;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(byte < ' ' || byte == 0x7f ? '?' : c);
  }
  return out;
}

Json sessionJson(const ConsoleSession& session) {
  return {{"principal", session.principalArn},
          {"account", session.accountId},
          {"accessKeyId", session.accessKeyId},
          {"csrfToken", session.csrfToken},
          {"expiresAt", toEpochSeconds(session.expiresAt)}};
}

}  // namespace

ConsoleEndpoint::ConsoleEndpoint(const auth::CredentialStore& credentials, ApiHandler api, ClockPtr clock, bool secure)
    : credentials_(credentials), api_(std::move(api)), clock_(clock), secure_(secure), sessions_(clock) {}

std::string ConsoleEndpoint::cookie(const std::string& token, int maxAgeSeconds) const {
  std::string text = std::string(kCookieName) + "=" + token + "; Path=/_kura/console/; Max-Age=" +
                     std::to_string(maxAgeSeconds) + "; HttpOnly; SameSite=Strict";
  if (secure_) text += "; Secure";
  return text;
}

std::optional<HttpResponse> ConsoleEndpoint::serve(const HttpRequest& request) {
  std::string_view path = request.path();
  if (path != kConsolePath && !path.starts_with(std::string(kConsolePath) + "/")) return std::nullopt;
  HttpResponse response;
  if (path == kConsolePath) {
    // A fixed place: nothing of the request decides where it goes.
    response.status = 308;
    response.headers.emplace_back("Location", "/_kura/console/");
  } else if (path.starts_with(kApiPrefix)) {
    response = api(request, path.substr(kApiPrefix.size()));
  } else {
    std::string_view name = path.substr(kConsolePath.size() + 1);
    if (name.empty()) name = "index.html";
    const ConsoleAsset* asset = name.find('/') == std::string_view::npos ? findConsoleAsset(name) : nullptr;
    if (request.method != "GET" && request.method != "HEAD") {
      response.status = 405;
      response.headers.emplace_back("Allow", "GET, HEAD");
    } else if (asset == nullptr) {
      response.status = 404;
      response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      response.body = "Not found\n";
    } else {
      response.headers.emplace_back("Content-Type", std::string(asset->contentType));
      if (request.method == "GET") response.body = std::string(asset->body);
    }
  }
  addSecurityHeaders(response);
  return response;
}

HttpResponse ConsoleEndpoint::api(const HttpRequest& request, std::string_view endpoint) {
  bool known = endpoint == "session" || endpoint == "signin" || endpoint == "signout" || endpoint == "call";
  if (!known) return refusal(404, "NotFound", "The console has no such call.");
  if (request.body.size() > kMaxConsoleBodyBytes) {
    return refusal(413, "RequestTooLarge", "A console request takes at most 64 KiB.");
  }
  std::string_view method = endpoint == "session" ? "GET" : "POST";
  if (request.method != method) {
    HttpResponse refused = refusal(405, "MethodNotAllowed", "This console call takes " + std::string(method) + ".");
    refused.headers.emplace_back("Allow", std::string(method));
    return refused;
  }
  if (endpoint == "session") return session(request);
  if (endpoint == "signin") return signIn(request);
  if (endpoint == "signout") return signOut(request);
  return call(request);
}

HttpResponse ConsoleEndpoint::signIn(const HttpRequest& request) {
  if (!sameOrigin(request, secure_)) return refusal(403, "CrossOrigin", "The console answers its own pages only.");
  if (!secure_ && !loopbackClient(request)) {
    // The secret would cross the network in the clear (the API itself only
    // ever receives signatures).
    return refusal(403, "InsecureTransport",
                   "Signing in over plain HTTP is allowed from this machine only: serve the API over HTTPS (--tls) "
                   "to sign in from elsewhere.");
  }
  auto body = jsonBody(request);
  if (!body) return refusal(400, "BadRequest", "Sign-in takes a JSON object.");
  std::string keyId = stringField(*body, "accessKeyId");
  std::string secret = stringField(*body, "secretAccessKey");
  std::string region = stringField(*body, "region");
  if (region.empty()) region = "us-east-1";
  if (keyId.empty() || secret.empty() || keyId.size() > kMaxKeyIdLength || secret.size() > kMaxSecretLength ||
      !validRegion(region)) {
    return refusal(400, "BadRequest", "Give an access key ID and its secret access key.");
  }
  // The key is proved as any client proves it: a call signed with it,
  // verified by the API (and recorded in the trail, refused or not).
  auto caller = forward(api_, request, client::AwsCredentials{keyId, secret, {}, "console"}, region, "sts",
                        "GetCallerIdentity", Json::object(), clock_->now());
  const Json* identity = std::get_if<Json>(&caller);
  // Only long-term keys: a session's key also needs its token, which the form does not take.
  std::optional<auth::Credential> credential;
  if (identity != nullptr) credential = credentials_.find(keyId);
  if (identity == nullptr || !credential || !credential->sessionToken.empty()) {
    spdlog::info("msg=\"console sign-in refused\" error_code={} access_key_id=\"{}\" remote_address={}",
                 identity == nullptr ? std::get<client::CallError>(caller).code : "SessionKey", logged(keyId),
                 logged(request.remoteAddress));
    return refusal(401, "SignInFailed", "The access key ID or the secret access key is not valid.");
  }
  // A new session on every sign-in (the one the browser had, if any, ends):
  // a token is only ever one the server made.
  sessions_.remove(cookieToken(request));
  ConsoleSession draft;
  draft.accessKeyId = keyId;
  draft.secretHash = sha256(secret);
  draft.principalArn = identity->value("Arn", "");
  draft.accountId = identity->value("Account", "");
  auto created = sessions_.create(std::move(draft));
  if (!created) {
    spdlog::warn("msg=\"console sign-in refused: every session is taken by other principals\" principal=\"{}\"",
                 logged(identity->value("Arn", "")));
    return refusal(503, "TooManySessions",
                   "The console has as many sessions as it keeps, all of other principals: try again later.");
  }
  auto& [token, session] = *created;
  spdlog::info("msg=\"console sign-in\" principal=\"{}\" access_key_id=\"{}\"", logged(session.principalArn),
               logged(session.accessKeyId));
  HttpResponse response = jsonAnswer(200, sessionJson(session));
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(session.expiresAt - session.createdAt);
  response.headers.emplace_back("Set-Cookie", cookie(token, static_cast<int>(lifetime.count())));
  return response;
}

std::optional<ConsoleEndpoint::SignedIn> ConsoleEndpoint::signedIn(const HttpRequest& request,
                                                                   HttpResponse& refused) {
  if (!sameOrigin(request, secure_)) {
    refused = refusal(403, "CrossOrigin", "The console answers its own pages only.");
    return std::nullopt;
  }
  std::string token = cookieToken(request);
  auto session = sessions_.find(token);
  if (!session) {
    refused = refusal(401, "NotSignedIn", "Sign in first.");
    return std::nullopt;
  }
  if (!constantTimeEquals(request.header("X-Kura-Csrf"), session->csrfToken)) {
    refused = refusal(403, "BadCsrfToken", "The request does not carry the session's X-Kura-Csrf token.");
    return std::nullopt;
  }
  // The key as the store has it now: deleted, deactivated or given another
  // secret since the sign-in, and the session is over.
  auto credential = credentials_.find(session->accessKeyId);
  if (!credential || !keyStillValid(*session)) {
    sessions_.remove(token);
    refused = refusal(401, "NotSignedIn", "The access key of this session is no longer valid: sign in again.");
    return std::nullopt;
  }
  return SignedIn{std::move(token), std::move(*session), std::move(*credential)};
}

bool ConsoleEndpoint::keyStillValid(const ConsoleSession& session) const {
  auto credential = credentials_.find(session.accessKeyId);
  return credential && constantTimeEquals(sha256(credential->secretAccessKey), session.secretHash);
}

HttpResponse ConsoleEndpoint::session(const HttpRequest& request) {
  // The page asks after a reload, before it has the CSRF token: it sends
  // X-Kura-Console instead, which no other site's page may send here
  // without a preflight the console never answers.
  if (!sameOrigin(request, secure_)) return refusal(403, "CrossOrigin", "The console answers its own pages only.");
  if (request.header("X-Kura-Console") != "1") {
    return refusal(403, "BadRequest", "The request does not carry X-Kura-Console: 1.");
  }
  std::string token = cookieToken(request);
  auto found = sessions_.find(token);
  if (!found) return refusal(401, "NotSignedIn", "Sign in first.");
  if (!keyStillValid(*found)) {
    sessions_.remove(token);
    return refusal(401, "NotSignedIn", "The access key of this session is no longer valid: sign in again.");
  }
  return jsonAnswer(200, sessionJson(*found));
}

HttpResponse ConsoleEndpoint::signOut(const HttpRequest& request) {
  HttpResponse refused;
  auto signed_ = signedIn(request, refused);
  if (!signed_) return refused;
  sessions_.remove(signed_->token);
  HttpResponse response = jsonAnswer(200, {{"signedOut", true}});
  response.headers.emplace_back("Set-Cookie", cookie("", 0));
  return response;
}

HttpResponse ConsoleEndpoint::call(const HttpRequest& request) {
  HttpResponse refused;
  auto signed_ = signedIn(request, refused);
  if (!signed_) return refused;
  auto body = jsonBody(request);
  if (!body) return refusal(400, "BadRequest", "A call is a JSON object.");
  std::string service = stringField(*body, "service");
  std::string operation = stringField(*body, "operation");
  std::string region = stringField(*body, "region");
  Json input = body->value("input", Json::object());
  if (!validRegion(region) || !input.is_object()) {
    return refusal(400, "BadRequest", "A call names a region and takes an input object.");
  }
  auto allowed = allowedCalls().find(service);
  if (allowed == allowedCalls().end() || !allowed->second.contains(operation)) {
    return refusal(400, "NotAConsoleCall", "The console does not make " + service + " " + operation + " calls.");
  }
  const auth::Credential& key = signed_->credential;
  auto result = forward(api_, request, client::AwsCredentials{key.accessKeyId, key.secretAccessKey, {}, "console"},
                        region, service, operation, input, clock_->now());
  if (const Json* output = std::get_if<Json>(&result)) return jsonAnswer(200, {{"output", *output}});
  const auto& error = std::get<client::CallError>(result);
  int status = error.httpStatus >= 400 && error.httpStatus < 600 ? error.httpStatus : 502;
  return refusal(status, error.code.empty() ? "CallFailed" : error.code, error.message);
}

}  // namespace kura::console
