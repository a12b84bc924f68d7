// The listener over TLS, end to end on loopback with one I/O thread: a
// stalled handshake must not hold up that thread's other connections.
#include "http/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/x509.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "common/certificate_authority.h"
#include "http/tls_context_slot.h"

namespace kura {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

class HttpServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-http-tls-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto ca = CertificateAuthority::openOrCreate(dir_ / "keys");
    ASSERT_TRUE(ca) << ca.error().message;
    ca_ = std::move(*ca);
    slot_ = std::make_shared<TlsContextSlot>(contextFor("first"));
    HttpServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.tls = slot_;
    server_ = std::make_unique<HttpServer>(options, [](const HttpRequest& request) {
      HttpResponse response;
      response.body = "ok " + request.target;
      return response;
    });
    server_->start();
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  // A context serving a certificate for 127.0.0.1 whose common name is `name`.
  TlsContextPtr contextFor(const std::string& name) {
    auto issued = ca_->issue({name, "127.0.0.1"}, std::chrono::hours(24));
    EXPECT_TRUE(issued);
    auto context = makeTlsServerContext(issued->certificatePem, issued->keyPem);
    EXPECT_TRUE(context) << context.error().message;
    return *context;
  }

  tcp::endpoint endpoint() const { return {asio::ip::make_address("127.0.0.1"), server_->port()}; }

  // GET `target` over a verified TLS connection; returns the body and the
  // common name of the certificate the server presented.
  std::pair<std::string, std::string> get(const std::string& target) {
    asio::io_context io;
    ssl::context context(ssl::context::tls_client);
    context.add_certificate_authority(asio::buffer(ca_->bundlePem()));
    context.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    beast::get_lowest_layer(stream).connect(endpoint());
    SSL_set1_host(stream.native_handle(), "127.0.0.1");
    stream.handshake(ssl::stream_base::client);
    bhttp::request<bhttp::empty_body> request(bhttp::verb::get, target, 11);
    request.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(stream, request);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(stream, buffer, response);
    X509* peer = SSL_get_peer_certificate(stream.native_handle());
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof name);
    X509_free(peer);
    return {response.body(), name};
  }

  fs::path dir_;
  std::unique_ptr<CertificateAuthority> ca_;
  std::shared_ptr<TlsContextSlot> slot_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTlsTest, ServesARequestOverAVerifiedConnection) {
  EXPECT_EQ(get("/a"), (std::pair<std::string, std::string>{"ok /a", "first"}));
}

TEST_F(HttpServerTlsTest, AStalledHandshakeDoesNotHoldUpTheLoop) {
  asio::io_context io;
  tcp::socket stalled(io);
  stalled.connect(endpoint());  // and says nothing
  tcp::socket halfway(io);
  halfway.connect(endpoint());
  asio::write(halfway, asio::buffer(std::string("\x16\x03\x01\x02\x00", 5)));  // a record header, no more
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(get("/b").first, "ok /b");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST_F(HttpServerTlsTest, PlainHttpIsAnsweredByAClosedConnection) {
  asio::io_context io;
  tcp::socket plain(io);
  plain.connect(endpoint());
  asio::write(plain, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::string received;
  boost::system::error_code ec;
  char chunk[512];
  for (;;) {
    size_t got = plain.read_some(asio::buffer(chunk), ec);
    if (ec) break;
    received.append(chunk, got);
  }
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_EQ(received.find("HTTP/1.1"), std::string::npos);
  EXPECT_EQ(get("/c").first, "ok /c");  // and the server serves on
}

TEST_F(HttpServerTlsTest, ANewContextServesTheNextConnection) {
  EXPECT_EQ(get("/d").second, "first");
  slot_->replace(contextFor("second"));
  EXPECT_EQ(get("/e"), (std::pair<std::string, std::string>{"ok /e", "second"}));
}

}  // namespace
}  // namespace kura
