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

// Times verifier.verify(view), once it is known to verify.
void timeVerification(benchmark::State& state, SigV4Verifier& verifier, const HttpRequestView& view) {
  if (!std::holds_alternative<Identity>(verifier.verify(view))) {
    state.SkipWithError("the request does not verify");
    return;
  }
  for (auto _ : state) {
    auto verified = verifier.verify(view);
    benchmark::DoNotOptimize(verified);
  }
}

void VerifyGetItem(benchmark::State& state) {
  SystemTime now = *parseTimestamp("2026-12-06T12:00:00Z");
  auto clock = std::make_shared<ManualClock>(now);
  StaticCredentialStore store;
  store.add(Credential{kKey, kSecret, "000000000000", "root"});
  SigV4Verifier verifier(store, clock);
  SignedGetItem request = signedGetItem(now);
  HttpRequestView view{"POST", "/", request.headers, kBody};
  timeVerification(state, verifier, view);
}
BENCHMARK(VerifyGetItem);

// AWS's suite's get-vanilla case, signed with SigV4 and with SigV4a (its
// ECDSA signature verified with the key derived from the secret, which each
// thread keeps): what the asymmetric form costs against the HMAC one.
void VerifySuiteCase(benchmark::State& state, bool sigv4a) {
  auto clock = std::make_shared<ManualClock>(*parseTimestamp("2015-08-30T12:36:00Z"));
  StaticCredentialStore store;
  store.add(Credential{kKey, kSecret, "000000000000", "root"});
  SigV4Verifier verifier(store, clock);
  std::vector<std::pair<std::string, std::string>> headers{{"Host", "example.amazonaws.com"},
                                                           {"X-Amz-Date", "20150830T123600Z"}};
  if (sigv4a) {
    headers.emplace_back("X-Amz-Region-Set", "us-east-1");
    headers.emplace_back(
        "Authorization",
        "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-region-set, "
        "Signature=3046022100fddaaf816a31e30d04973875b13bc27b98da10907a3a1872fd5819a221334abc022100de2ee81d83b54f31efc8"
        "2834de07e6cd4d5c6f25bfa08e0f29a15bb0977c343e");
  } else {
    headers.emplace_back("Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                         "SignedHeaders=host;x-amz-date, "
                         "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  }
  HttpRequestView view{"GET", "/", headers, ""};
  timeVerification(state, verifier, view);
}
BENCHMARK_CAPTURE(VerifySuiteCase, sigv4, false);
BENCHMARK_CAPTURE(VerifySuiteCase, sigv4a, true);

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
