// What a connection writes for a handler's answer: the head and body as
// they were, and a 500 (the server still serving) for an answer that
// cannot be written as is: a field with a line break, which would add
// fields of its own, or a status Beast cannot frame.
#include "http/http_server.h"

#include <boost/asio.hpp>

#include <gtest/gtest.h>

#include <string>

namespace kura {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::unique_ptr<HttpServer> serve() {
  HttpServerOptions options;
  options.port = 0;
  options.threads = 1;
  auto server = std::make_unique<HttpServer>(options, [](const HttpRequest& request) {
    HttpResponse response;
    response.body = "body";
    if (request.target == "/injected") response.headers.emplace_back("X-Echo", "a\r\nSet-Cookie: stolen=1");
    if (request.target == "/status") response.status = 1000;
    if (request.target == "/fine") response.headers.emplace_back("X-Echo", "a");
    return response;
  });
  server->start();
  return server;
}

// The whole answer to one request on a connection of its own (each ends it).
std::string exchange(unsigned short port, const std::string& target) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  std::string answer;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(answer), ec);
  return answer;
}

TEST(HttpResponseWrite, AnAnswerIsWrittenAsItWas) {
  auto server = serve();
  EXPECT_EQ(exchange(server->port(), "/fine"),
            "HTTP/1.1 200 OK\r\nServer: Kura\r\nX-Echo: a\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbody");
  server->stop();
}

TEST(HttpResponseWrite, AFieldWithALineBreakIsNeverWritten) {
  auto server = serve();
  std::string answer = exchange(server->port(), "/injected");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 500 Internal Server Error\r\n")) << answer;
  EXPECT_EQ(answer.find("stolen"), std::string::npos) << answer;
  EXPECT_TRUE(exchange(server->port(), "/fine").starts_with("HTTP/1.1 200 OK\r\n"));
  server->stop();
}

TEST(HttpResponseWrite, AStatusBeastCannotFrameIsA500AndTheServerServesOn) {
  auto server = serve();
  EXPECT_TRUE(exchange(server->port(), "/status").starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
  EXPECT_TRUE(exchange(server->port(), "/fine").starts_with("HTTP/1.1 200 OK\r\n"));
  server->stop();
}

}  // namespace
}  // namespace kura
