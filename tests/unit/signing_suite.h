#pragma once
// AWS's signing test suite (tests/data/aws-signing-test-suite) as the
// signer's and the verifier's tests read it: a case's files, its requests,
// and the signed headers and payload hash of its canonical requests.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace kura::signing_suite {

namespace fs = std::filesystem;

inline const fs::path kRoot = fs::path(KURA_TEST_DATA_DIR) / "aws-signing-test-suite";

inline std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Request {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Request line, "Name:value" headers (a line starting with white space
// continues the previous value), blank line, body.
inline Request parseRequest(const std::string& text) {
  Request request;
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

// The cases of `suite` ("v4", "v4a") whose folder holds `file`, sorted.
inline std::vector<std::string> caseNames(const std::string& suite, const std::string& file = "context.json") {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kRoot / suite)) {
    if (fs::exists(entry.path() / file)) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A case's name as a test's ("get-vanilla" -> "get_vanilla").
inline std::string testName(std::string caseName) {
  std::replace(caseName.begin(), caseName.end(), '-', '_');
  return caseName;
}

// A canonical request's signed headers: the line before the payload hash.
inline std::vector<std::string> signedHeadersOf(const std::string& canonical) {
  size_t end = canonical.rfind('\n');
  size_t start = canonical.rfind('\n', end - 1) + 1;
  std::vector<std::string> names;
  std::stringstream stream(canonical.substr(start, end - start));
  for (std::string name; std::getline(stream, name, ';');) names.push_back(name);
  return names;
}

inline std::string payloadOf(const std::string& canonical) { return canonical.substr(canonical.rfind('\n') + 1); }

}  // namespace kura::signing_suite
