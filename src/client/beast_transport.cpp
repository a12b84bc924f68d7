#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "client/http_transport.h"

namespace kura::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr size_t kBodyLimit = 64 * 1024 * 1024;

// Runs one asynchronous step to completion; the tcp_stream's deadline
// cancels it when it takes too long.
template <typename Start>
beast::error_code runStep(asio::io_context& io, Start&& start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

std::string failure(std::string_view step, const Endpoint& endpoint, const beast::error_code& ec) {
  std::string reason = ec == beast::error::timeout ? std::string("timed out") : ec.message();
  return std::string(step) + " " + endpoint.hostHeader() + ": " + reason;
}

class BeastTransport final : public HttpTransport {
 public:
  explicit BeastTransport(TransportOptions options) : options_(std::move(options)) {}

  std::variant<HttpAnswer, std::string> send(const Endpoint& endpoint, const SignableRequest& request) override {
    http::request<http::string_body> message{request.method == "GET" ? http::verb::get : http::verb::post,
                                             request.target, 11};
    for (const auto& [name, value] : request.headers) message.set(name, value);
    message.body() = request.body;
    message.prepare_payload();

    asio::io_context io;
    tcp::resolver resolver(io);
    beast::error_code ec;
    auto addresses = resolver.resolve(endpoint.host, endpoint.port, ec);
    if (ec) return failure("cannot resolve", endpoint, ec);
    if (!endpoint.tls) {
      beast::tcp_stream stream(io);
      return exchange(io, stream, stream, addresses, endpoint, message, nullptr);
    }
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_verify_mode(asio::ssl::verify_peer);
    if (options_.caBundleFile.empty()) {
      tls.set_default_verify_paths(ec);
    } else {
      tls.load_verify_file(options_.caBundleFile, ec);
    }
    if (ec) return "cannot load the CA certificates: " + ec.message();
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    SSL* ssl = stream.native_handle();
    beast::error_code notAddress;
    asio::ip::make_address(endpoint.host, notAddress);
    if (notAddress) {
      SSL_set_tlsext_host_name(ssl, endpoint.host.c_str());
      SSL_set1_host(ssl, endpoint.host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), endpoint.host.c_str());
    }
    return exchange(io, stream, beast::get_lowest_layer(stream), addresses, endpoint, message, &stream);
  }

 private:
  template <typename Stream>
  std::variant<HttpAnswer, std::string> exchange(asio::io_context& io, Stream& stream, beast::tcp_stream& tcpStream,
                                                 const tcp::resolver::results_type& addresses, const Endpoint& endpoint,
                                                 http::request<http::string_body>& message,
                                                 beast::ssl_stream<beast::tcp_stream>* tlsStream) {
    tcpStream.expires_after(options_.timeout);
    beast::error_code ec = runStep(io, [&](auto handler) { tcpStream.async_connect(addresses, std::move(handler)); });
    if (ec) return failure("cannot connect to", endpoint, ec);
    if (tlsStream != nullptr) {
      tcpStream.expires_after(options_.timeout);
      ec = runStep(
          io, [&](auto handler) { tlsStream->async_handshake(asio::ssl::stream_base::client, std::move(handler)); });
      if (ec) return failure("TLS handshake with", endpoint, ec);
    }
    tcpStream.expires_after(options_.timeout);
    ec = runStep(io, [&](auto handler) { http::async_write(stream, message, std::move(handler)); });
    if (ec) return failure("cannot send to", endpoint, ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    tcpStream.expires_after(options_.timeout);
    ec = runStep(io, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
    if (ec) return failure("no answer from", endpoint, ec);
    HttpAnswer answer;
    auto& response = parser.get();
    answer.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      answer.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    answer.body = std::move(response.body());
    return answer;
  }

  TransportOptions options_;
};

}  // namespace

HttpTransportPtr makeBeastTransport(TransportOptions options) {
  return std::make_unique<BeastTransport>(std::move(options));
}

}  // namespace kura::client
