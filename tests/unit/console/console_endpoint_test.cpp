// The console's routes without a browser or a server: its fixed redirect,
// its security headers, and the refusals that come before any AWS call.
#include "console/console_endpoint.h"

#include <gtest/gtest.h>

namespace kura::console {
namespace {

std::string headerOf(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

class ConsoleEndpointTest : public ::testing::Test {
 protected:
  auth::StaticCredentialStore credentials;
  int apiCalls = 0;
  ConsoleEndpoint endpoint{credentials,
                           [this](const HttpRequest&) {
                             ++apiCalls;
                             return HttpResponse{403, {}, "<ErrorResponse/>"};
                           },
                           realClock(), /*secure=*/true};

  HttpResponse serve(std::string method, std::string target, HeaderList headers = {}, std::string body = {}) {
    HttpRequest request{std::move(method), std::move(target), std::move(headers), std::move(body), "127.0.0.1"};
    auto response = endpoint.serve(request);
    EXPECT_TRUE(response);
    return response ? *response : HttpResponse{};
  }
};

TEST_F(ConsoleEndpointTest, OnlyItsOwnPathsAreAnswered) {
  HttpRequest other{"GET", "/_kura/consoles", {}, {}, "127.0.0.1"};
  EXPECT_FALSE(endpoint.serve(other));
  HttpRequest api{"POST", "/", {}, {}, "127.0.0.1"};
  EXPECT_FALSE(endpoint.serve(api));
}

TEST_F(ConsoleEndpointTest, RedirectsToItsFixedPathOnly) {
  HttpResponse response = serve("GET", "/_kura/console?next=https://evil.example/", {{"Host", "evil.example"}});
  EXPECT_EQ(response.status, 308);
  EXPECT_EQ(headerOf(response, "Location"), "/_kura/console/");
}

TEST_F(ConsoleEndpointTest, PagesCarryTheSecurityHeaders) {
  HttpResponse page = serve("GET", "/_kura/console/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(headerOf(page, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(headerOf(page, "Content-Security-Policy").starts_with("default-src 'self'"));
  EXPECT_EQ(headerOf(page, "X-Frame-Options"), "DENY");
  EXPECT_EQ(headerOf(page, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(headerOf(page, "Cache-Control"), "no-store");
  EXPECT_EQ(serve("GET", "/_kura/console/console.js").status, 200);
  EXPECT_EQ(serve("GET", "/_kura/console/../../etc/passwd").status, 404);
  EXPECT_EQ(serve("GET", "/_kura/console/nothing.js").status, 404);
  EXPECT_EQ(serve("POST", "/_kura/console/index.html").status, 405);
}

TEST_F(ConsoleEndpointTest, RefusesBeforeAnyCall) {
  const HeaderList json = {{"Content-Type", "application/json"}, {"Host", "kura.example"}};
  // A sign-in from another origin, or not in JSON (a plain form post).
  HeaderList crossOrigin = json;
  crossOrigin.emplace_back("Origin", "https://evil.example");
  EXPECT_EQ(serve("POST", "/_kura/console/api/signin", crossOrigin, R"({"accessKeyId":"a","secretAccessKey":"b"})").status,
            403);
  EXPECT_EQ(serve("POST", "/_kura/console/api/signin", {{"Content-Type", "application/x-www-form-urlencoded"}},
                  "accessKeyId=a&secretAccessKey=b")
                .status,
            400);
  // A call without a session, or with a token the server never made.
  EXPECT_EQ(serve("POST", "/_kura/console/api/call", json, "{}").status, 401);
  HeaderList forged = json;
  forged.emplace_back("Cookie", "kura_console=" + std::string(64, 'a'));
  forged.emplace_back("X-Kura-Csrf", std::string(64, 'b'));
  EXPECT_EQ(serve("POST", "/_kura/console/api/call", forged, "{}").status, 401);
  EXPECT_EQ(serve("GET", "/_kura/console/api/call").status, 405);
  EXPECT_EQ(serve("POST", "/_kura/console/api/session", json, "{}").status, 405);
  EXPECT_EQ(serve("POST", "/_kura/console/api/nothing", json, "{}").status, 404);
  EXPECT_EQ(serve("GET", "/_kura/console/api/session", {{"X-Kura-Console", "1"}}).status, 401);
  EXPECT_EQ(serve("GET", "/_kura/console/api/session").status, 403);
  EXPECT_EQ(apiCalls, 0);
}

TEST_F(ConsoleEndpointTest, AWrongKeyIsRefusedWithoutACookie) {
  HttpResponse response = serve("POST", "/_kura/console/api/signin", {{"Content-Type", "application/json"}},
                                R"({"accessKeyId":"AKIANOBODY","secretAccessKey":"wrong"})");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(apiCalls, 1);  // the key was put to the API, which refused it
  EXPECT_EQ(headerOf(response, "Set-Cookie"), "");
  EXPECT_EQ(endpoint.sessions().size(), 0u);
}

TEST_F(ConsoleEndpointTest, ABodyOverItsBoundIsRefusedUnread) {
  std::string large = R"({"accessKeyId":"a","secretAccessKey":")" + std::string(70 * 1024, 'x') + R"("})";
  EXPECT_EQ(serve("POST", "/_kura/console/api/signin", {{"Content-Type", "application/json"}}, large).status, 413);
  EXPECT_EQ(apiCalls, 0);
}

TEST(ConsoleEndpointPlainHttp, SignInFromAnotherMachineIsRefusedOverPlainHttp) {
  auth::StaticCredentialStore credentials;
  int apiCalls = 0;
  ConsoleEndpoint endpoint{credentials,
                           [&apiCalls](const HttpRequest&) {
                             ++apiCalls;
                             return HttpResponse{403, {}, "<ErrorResponse/>"};
                           },
                           realClock(), /*secure=*/false};
  auto signIn = [&](std::string from) {
    HttpRequest request{"POST", "/_kura/console/api/signin", {{"Content-Type", "application/json"}},
                        R"({"accessKeyId":"AKIANOBODY","secretAccessKey":"wrong"})", std::move(from)};
    return endpoint.serve(request)->status;
  };
  EXPECT_EQ(signIn("192.0.2.7"), 403);
  EXPECT_EQ(signIn("::ffff:192.0.2.7"), 403);
  EXPECT_EQ(apiCalls, 0);  // the secret was not even put to the API
  EXPECT_EQ(signIn("127.0.0.1"), 401);
  EXPECT_EQ(signIn("::1"), 401);
  EXPECT_EQ(signIn("::ffff:127.0.0.1"), 401);
  EXPECT_EQ(apiCalls, 3);
}

}  // namespace
}  // namespace kura::console
