// What verifying one request's SigV4 signature costs: a DynamoDB GetItem
// signed in its Authorization header as botocore signs it (the headers a
// boto3 client sends, in its order), verified by Kura's SigV4Verifier on
// one thread, as the gateway does for every call; and the two digests a
// verification cannot avoid (the body's SHA-256 and one HMAC), for scale.
// Google Benchmark; run build/bench/kura_sigv4_verify_cost.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/sigv4_verifier.h"
#include "common/crypto.h"
#include "common/time_format.h"

namespace {

using namespace kura;
using namespace kura::auth;

const std::string kKey = "AKIDEXAMPLE";
const std::string kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::string kBody = R"({"TableName": "bench", "Key": {"k": {"S": "k7"}}})";

struct SignedGetItem {
  std::vector<std::pair<std::string, std::string>> headers;
};

SignedGetItem signedGetItem(SystemTime at) {
  std::string amzDate = formatAmzDate(at);
  SigV4Scope scope{kKey, amzDate.substr(0, 8), "ap-northeast-1", "dynamodb"};
  SignedGetItem out{{{"Host", "127.0.0.1:8000"},
                     {"Accept-Encoding", "identity"},
                     {"X-Amz-Target", "DynamoDB_20120810.GetItem"},
                     {"Content-Type", "application/x-amz-json-1.0"},
                     {"User-Agent", "Boto3/1.26.27 md/Botocore#1.29.27 ua/2.0 os/linux#6.1.0 md/arch#x86_64 "
                                    "lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.29.27"},
                     {"X-Amz-Date", amzDate},
                     {"Content-Length", std::to_string(kBody.size())}}};
  std::vector<std::string> names{"content-type", "host", "x-amz-date", "x-amz-target"};
  std::string canonical = canonicalRequest("POST", "/", out.headers, names, sha256Hex(kBody), false);
  out.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + kKey + "/" + scope.date +
                                                "/ap-northeast-1/dynamodb/aws4_request, "
                                                "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" +
                                                signature(kSecret, amzDate, scope, canonical));
  return out;
}

void VerifyGetItem(benchmark::State& state) {
  SystemTime now = *parseTimestamp("2026-12-06T12:00:00Z");
  auto clock = std::make_shared<ManualClock>(now);
  StaticCredentialStore store;
  store.add(Credential{kKey, kSecret, "000000000000", "root"});
  SigV4Verifier verifier(store, clock);
  SignedGetItem request = signedGetItem(now);
  HttpRequestView view{"POST", "/", request.headers, kBody};
  if (!std::holds_alternative<Identity>(verifier.verify(view))) {
    state.SkipWithError("the request does not verify");
    return;
  }
  for (auto _ : state) {
    auto verified = verifier.verify(view);
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(VerifyGetItem);

// Where the route reads the scope, before the verification.
void PeekScope(benchmark::State& state) {
  SystemTime now = *parseTimestamp("2026-12-06T12:00:00Z");
  SignedGetItem request = signedGetItem(now);
  HttpRequestView view{"POST", "/", request.headers, kBody};
  for (auto _ : state) {
    auto scope = peekScope(view);
    benchmark::DoNotOptimize(scope);
  }
}
BENCHMARK(PeekScope);

void Sha256OfTheBody(benchmark::State& state) {
  for (auto _ : state) {
    std::string digest = sha256Hex(kBody);
    benchmark::DoNotOptimize(digest);
  }
}
BENCHMARK(Sha256OfTheBody);

void HmacWithTheSameKey(benchmark::State& state) {
  std::string key(32, 'k');
  std::string text(150, 't');
  for (auto _ : state) {
    std::string mac = hmacSha256(key, text);
    benchmark::DoNotOptimize(mac);
  }
}
BENCHMARK(HmacWithTheSameKey);

}  // namespace

BENCHMARK_MAIN();
