// The client's signer against AWS's SigV4 test suite
// (tests/data/aws-signing-test-suite/v4): from each case's unsigned request
// and context it must produce the suite's canonical request, string to
// sign, signature and Authorization header.
#include "client/sigv4_signer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/time_format.h"

namespace kura::client {
namespace {

namespace fs = std::filesystem;

const fs::path kSuite = fs::path(KURA_TEST_DATA_DIR) / "aws-signing-test-suite" / "v4";

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Request line, "Name:value" headers (a line starting with white space
// continues the previous value), blank line, body.
SignableRequest parseRequest(const std::string& text) {
  SignableRequest request;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  size_t first = line.find(' ');
  size_t last = line.rfind(' ');
  request.method = line.substr(0, first);
  request.target = line.substr(first + 1, last - first - 1);
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::stringstream rest;
  rest << lines.rdbuf();
  request.body = rest.str();
  return request;
}

std::string headerOf(const HeaderList& headers, const std::string& name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

std::vector<std::string> caseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kSuite)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class SignerVector : public ::testing::TestWithParam<std::string> {};

TEST_P(SignerVector, SignsAsTheSuiteDoes) {
  fs::path dir = kSuite / GetParam();
  nlohmann::json context = nlohmann::json::parse(readFile(dir / "context.json"));
  // The client signs for services that normalize paths: a "normalize":
  // false case (S3's way) is signed as its normalized twin, the same request.
  if (!context.value("normalize", true)) {
    std::string name = GetParam();
    fs::path twin = kSuite / (name.substr(0, name.size() - std::string("unnormalized").size()) + "normalized");
    ASSERT_EQ(readFile(twin / "request.txt"), readFile(dir / "request.txt"));
    dir = twin;
    context = nlohmann::json::parse(readFile(dir / "context.json"));
  }
  AwsCredentials credentials{context["credentials"]["access_key_id"], context["credentials"]["secret_access_key"],
                             context["credentials"].value("token", ""), "suite"};
  SigningScope scope{context["region"], context["service"], context.value("omit_session_token", false),
                     context.value("sign_body", false)};
  SignableRequest request = parseRequest(readFile(dir / "request.txt"));
  SigningTrace trace =
      signRequest(request, credentials, scope, *parseTimestamp(context["timestamp"].get<std::string>()));
  EXPECT_EQ(trace.canonicalRequest, readFile(dir / "header-canonical-request.txt"));
  EXPECT_EQ(trace.stringToSign, readFile(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(trace.signature, readFile(dir / "header-signature.txt"));
  SignableRequest expected = parseRequest(readFile(dir / "header-signed-request.txt"));
  EXPECT_EQ(headerOf(request.headers, "Authorization"), headerOf(expected.headers, "Authorization"));
  EXPECT_EQ(headerOf(request.headers, "X-Amz-Date"), headerOf(expected.headers, "X-Amz-Date"));
  EXPECT_EQ(headerOf(request.headers, "X-Amz-Security-Token"), headerOf(expected.headers, "X-Amz-Security-Token"));
}

INSTANTIATE_TEST_SUITE_P(AwsSigningTestSuite, SignerVector, ::testing::ValuesIn(caseNames()), [](const auto& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

TEST(SignerVectors, TheSuiteIsThere) { EXPECT_GE(caseNames().size(), 30u); }

}  // namespace
}  // namespace kura::client
