#include "http/request_reader.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <optional>
#include <string>

namespace kura {
namespace {

namespace bhttp = boost::beast::http;

struct Read {
  HttpRequest request;
  bool keepAlive = false;
  unsigned version = 0;
};

// Both parsers are fed the bytes in pieces of `step`, as a socket may deliver them.
template <class Parser>
std::optional<Parser*> feed(Parser& parser, const std::string& wire, size_t step) {
  parser.eager(true);
  size_t at = 0;
  while (!parser.is_done()) {
    size_t size = std::min(wire.size() - at, step);
    boost::beast::error_code ec;
    size_t used = parser.put(boost::asio::buffer(wire.data() + at, size), ec);
    if (ec == bhttp::error::need_more) {
      if (at + size == wire.size()) return std::nullopt;
      step += 7;  // a piece too short to hold the next element: offer more
      continue;
    }
    if (ec || (used == 0 && at + size == wire.size())) return std::nullopt;
    at += used;
  }
  return &parser;
}

// What the connection made of a request before: Beast's message, copied.
std::optional<Read> viaMessage(const std::string& wire, size_t step) {
  bhttp::request_parser<bhttp::string_body> parser;
  if (!feed(parser, wire, step)) return std::nullopt;
  auto& message = parser.get();
  Read read;
  read.request.method = std::string(message.method_string());
  read.request.target = std::string(message.target());
  for (const auto& field : message) {
    read.request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  read.request.body = message.body();
  read.keepAlive = message.keep_alive();
  read.version = message.version();
  return read;
}

std::optional<Read> viaReader(const std::string& wire, size_t step) {
  RequestReader reader;
  if (!feed(reader, wire, step)) return std::nullopt;
  return Read{reader.request(), reader.keepAlive(), reader.version()};
}

void expectSameRead(const std::string& wire) {
  for (size_t step : {wire.size(), size_t{1}, size_t{13}}) {
    auto before = viaMessage(wire, step);
    auto after = viaReader(wire, step);
    ASSERT_EQ(before.has_value(), after.has_value()) << wire;
    if (!before) continue;
    EXPECT_EQ(after->request.method, before->request.method);
    EXPECT_EQ(after->request.target, before->request.target);
    EXPECT_EQ(after->request.headers, before->request.headers);
    EXPECT_EQ(after->request.body, before->request.body);
    EXPECT_EQ(after->keepAlive, before->keepAlive) << wire;
    EXPECT_EQ(after->version, before->version);
  }
}

TEST(RequestReader, SignedGetItemReadsAsTheMessageDid) {
  std::string body = R"({"TableName": "bench", "Key": {"k": {"S": "k7"}}})";
  expectSameRead(
      "POST / HTTP/1.1\r\nHost: 127.0.0.1:4566\r\nContent-Type: application/x-amz-json-1.0\r\n"
      "X-Amz-Target: DynamoDB_20120810.GetItem\r\nX-Amz-Date: 20261205T222939Z\r\n"
      "Authorization: AWS4-HMAC-SHA256 Credential=test/20261205/ap-northeast-1/dynamodb/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcdef\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
}

TEST(RequestReader, FieldsKeepTheirOrderCaseDuplicatesAndTrimmedValues) {
  expectSameRead(
      "GET /path?Action=List&x=%20 HTTP/1.1\r\nhost: h\r\nX-A:  one \t\r\nx-a: two\r\nX-Empty:\r\n"
      "X-Inner: in  side\r\n\r\n");
}

TEST(RequestReader, FieldsStayInTheWiresOrder) {
  // The message moved the second X-A up beside the first; the reader does
  // not. The fields of one name keep their order either way.
  auto read = viaReader("GET / HTTP/1.1\r\nX-A: 1\r\nHost: h\r\nx-a: 2\r\n\r\n", 1000);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->request.headers, (HeaderList{{"X-A", "1"}, {"Host", "h"}, {"x-a", "2"}}));
  EXPECT_EQ(read->request.header("x-a"), "1");
  auto before = viaMessage("GET / HTTP/1.1\r\nX-A: 1\r\nHost: h\r\nx-a: 2\r\n\r\n", 1000);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->request.headers, (HeaderList{{"X-A", "1"}, {"x-a", "2"}, {"Host", "h"}}));
}

TEST(RequestReader, ChunkedBodyIsJoined) {
  expectSameRead(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer-Field: t\r\n\r\n");
}

TEST(RequestReader, KeepAliveAsTheMessageSaidIt) {
  expectSameRead("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  expectSameRead("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  expectSameRead("GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, Upgrade\r\n\r\n");
  expectSameRead("GET / HTTP/1.0\r\nHost: h\r\n\r\n");
  expectSameRead("GET / HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n");
  expectSameRead("GET / HTTP/1.0\r\nHost: h\r\nConnection: close\r\n\r\n");
}

TEST(RequestReader, ACloseInALaterConnectionFieldCloses) {
  // The message read only the first Connection field; the reader closes.
  auto read = viaReader("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", 1000);
  ASSERT_TRUE(read);
  EXPECT_FALSE(read->keepAlive);
}

TEST(RequestReader, EveryConnectionFieldIsRead) {
  auto read = [](const std::string& wire) { return viaReader(wire, 1000).value().keepAlive; };
  EXPECT_FALSE(read("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(read("GET / HTTP/1.0\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(read("GET / HTTP/1.0\r\nX: 1\r\nConnection: upgrade\r\nConnection: Keep-Alive\r\n\r\n"));
  // Proxy-Connection is not the client's word to the server.
  EXPECT_FALSE(read("GET / HTTP/1.0\r\nProxy-Connection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(read("GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n"));
}

TEST(RequestReader, TrailersAreBounded) {
  std::string trailers;
  while (trailers.size() <= RequestReader::kMaxTrailerBytes) trailers += "T: " + std::string(1000, 't') + "\r\n";
  std::string wire = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n" + trailers + "\r\n";
  RequestReader reader;
  reader.eager(true);
  boost::beast::error_code ec;
  size_t at = 0;
  while (!ec && at < wire.size() && !reader.is_done()) {
    at += reader.put(boost::asio::buffer(wire.data() + at, wire.size() - at), ec);
  }
  EXPECT_EQ(ec, bhttp::error::header_limit);
}

TEST(RequestReader, MalformedRequestsAreRefusedAlike) {
  expectSameRead("GET / HTTP/1.1\r\nHost h\r\n\r\n");
  expectSameRead("GET / HTTP/9.1\r\nHost: h\r\n\r\n");
  expectSameRead("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
  expectSameRead("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
}

TEST(RequestReader, BodyLimitHolds) {
  RequestReader reader;
  reader.body_limit(4);
  boost::beast::error_code ec;
  std::string wire = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde";
  reader.put(boost::asio::buffer(wire), ec);
  EXPECT_EQ(ec, bhttp::error::body_limit);
}

}  // namespace
}  // namespace kura
