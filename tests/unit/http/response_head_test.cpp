#include "http/response_head.h"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

#include <sstream>

namespace kura {
namespace {

namespace bhttp = boost::beast::http;

// What the connection wrote before: a Beast message built as it built it.
std::string beastBytes(const HttpResponse& response, bool keepAlive, unsigned version) {
  bhttp::response<bhttp::string_body> message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  message.set(bhttp::field::server, "Kura");
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.body() = response.body;
  message.keep_alive(keepAlive);
  message.prepare_payload();
  std::ostringstream out;
  out << message;
  return out.str();
}

void expectSameBytes(const HttpResponse& response) {
  for (unsigned version : {10u, 11u}) {
    for (bool keepAlive : {true, false}) {
      std::optional<std::string> head = responseHead(response, keepAlive, version);
      ASSERT_TRUE(head.has_value());
      EXPECT_EQ(*head + response.body, beastBytes(response, keepAlive, version))
          << "status " << response.status << " version " << version << " keep-alive " << keepAlive;
    }
  }
}

HttpResponse responseOf(int status, HeaderList headers, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers = std::move(headers);
  response.body = std::move(body);
  return response;
}

TEST(ResponseHead, GetItemAnswerIsWhatBeastWrote) {
  expectSameBytes(responseOf(200,
                             {{"x-amzn-RequestId", "2f1c7a8e-5d1b-4f7e-9a51-3c0e8b0f6d2a"},
                              {"Content-Type", "application/x-amz-json-1.0"},
                              {"x-amz-crc32", "1234567890"}},
                             R"({"Item":{"k":{"S":"k7"},"v":{"S":"xxxx"}}})"));
}

TEST(ResponseHead, ErrorsAndOddStatusesAreWhatBeastWrote) {
  for (int status : {400, 403, 404, 413, 429, 500, 503, 299, 599, 999}) {
    expectSameBytes(responseOf(status, {{"Content-Type", "text/plain"}}, "internal error\n"));
  }
}

TEST(ResponseHead, EmptyBodyAndNoFields) { expectSameBytes(responseOf(200, {}, "")); }

TEST(ResponseHead, LaterFieldOfTheSameNameReplacesTheEarlierOnes) {
  expectSameBytes(responseOf(200, {{"X-A", "1"}, {"x-b", "2"}, {"x-a", "3"}, {"X-A", "4"}, {"X-C", "5"}}, "body"));
  // The handler's Server replaces Kura's and goes where the handler put it.
  expectSameBytes(responseOf(200, {{"X-A", "1"}, {"server", "other"}, {"X-B", "2"}}, "body"));
}

TEST(ResponseHead, ValuesAreTrimmedAsBeastTrimsThem) {
  expectSameBytes(responseOf(200, {{"X-A", "  spaced \t"}, {"X-B", "\t"}, {"X-C", ""}, {"X-D", "in side"}}, "b"));
}

TEST(ResponseHead, ResponsesBeastFramesItselfAreLeftToBeast) {
  EXPECT_FALSE(responseHead(responseOf(204, {}, ""), true, 11));
  EXPECT_FALSE(responseHead(responseOf(304, {}, ""), true, 11));
  EXPECT_FALSE(responseHead(responseOf(101, {}, ""), true, 11));
  EXPECT_FALSE(responseHead(responseOf(200, {{"Connection", "upgrade"}}, ""), true, 11));
  EXPECT_FALSE(responseHead(responseOf(200, {{"content-length", "3"}}, "abc"), true, 11));
  EXPECT_FALSE(responseHead(responseOf(200, {{"Transfer-Encoding", "chunked"}}, ""), true, 11));
  EXPECT_FALSE(responseHead(responseOf(200, {{"X-Big", std::string(70000, 'v')}}, ""), true, 11));
}

}  // namespace
}  // namespace kura
