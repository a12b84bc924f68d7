#pragma once
// The web console on the API port (docs/console.md):
//   GET  /_kura/console/              the page, its script and style (embedded)
//   POST /_kura/console/api/signin    {accessKeyId, secretAccessKey}: a session cookie
//   GET  /_kura/console/api/session   who is signed in, and the session's CSRF token
//   POST /_kura/console/api/call      {service, operation, region, input}: one AWS call
//   POST /_kura/console/api/signout
// A call is made as the signed-in principal: the console encodes it in the
// service's protocol, signs it with SigV4 using the principal's key (looked
// up again in the credential store on every call, so a deleted or
// deactivated key ends the session), and hands it to the API's own handler,
// where it is authenticated, evaluated against IAM policies and recorded
// in the trail as any other call. The secret never leaves the server.
#include <functional>
#include <optional>
#include <string>

#include "auth/sigv4_verifier.h"
#include "common/clock.h"
#include "console/console_sessions.h"
#include "http/http_message.h"

namespace kura::console {

inline constexpr std::string_view kConsolePath = "/_kura/console";

using ApiHandler = std::function<HttpResponse(const HttpRequest&)>;

class ConsoleEndpoint {
 public:
  // `secure`: the API port speaks HTTPS (the cookie is then Secure).
  ConsoleEndpoint(const auth::CredentialStore& credentials, ApiHandler api, ClockPtr clock, bool secure);

  // The answer, or empty when the request is not for the console.
  std::optional<HttpResponse> serve(const HttpRequest& request);
  ConsoleSessions& sessions() { return sessions_; }

 private:
  HttpResponse api(const HttpRequest& request, std::string_view endpoint);
  HttpResponse signIn(const HttpRequest& request);
  HttpResponse signOut(const HttpRequest& request);
  HttpResponse session(const HttpRequest& request);
  HttpResponse call(const HttpRequest& request);
  // The session of the request's cookie, when the request carries its CSRF
  // token and its key is still the one signed in with; else `refusal` is
  // the answer.
  struct SignedIn {
    std::string token;
    ConsoleSession session;
    auth::Credential credential;  // the session's key, as the store has it now
  };
  std::optional<SignedIn> signedIn(const HttpRequest& request, HttpResponse& refusal);
  // The session's key is still in the credential store, active, with the
  // secret signed in with.
  bool keyStillValid(const ConsoleSession& session) const;
  std::string cookie(const std::string& token, int maxAgeSeconds) const;

  const auth::CredentialStore& credentials_;
  ApiHandler api_;
  ClockPtr clock_;
  bool secure_;
  ConsoleSessions sessions_;
};

}  // namespace kura::console
