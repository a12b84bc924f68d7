// What one trail record costs, step by step, for a no-op call (STS
// GetCallerIdentity): building the event, serializing it, chaining its
// hash, and appending it. Google Benchmark; run build/bench/kura_trail_append_cost.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "common/ids.h"
#include "trail/trail_event.h"
#include "trail/trail_format.h"
#include "trail/trail_writer.h"

namespace {

kura::RequestContext noopContext() {
  kura::RequestContext context;
  context.requestId = kura::newUuid();
  context.accessKeyId = "test";
  context.sourceIp = "127.0.0.1";
  context.userAgent = "Boto3/1.26.27 md/Botocore#1.29.27 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.2";
  context.service = "sts";
  context.operation = "GetCallerIdentity";
  context.receivedAt = std::chrono::system_clock::now();
  return context;
}

const nlohmann::json kInput = nlohmann::json::object();
const nlohmann::json kOutput = {{"UserId", "000000000000"}, {"Account", "000000000000"},
                                {"Arn", "arn:aws:iam::000000000000:root"}};

// The event as a value tree (what LookupEvents parses back).
void BuildEvent(benchmark::State& state) {
  auto context = noopContext();
  for (auto _ : state) benchmark::DoNotOptimize(kura::makeTrailEvent(context, &kInput, &kOutput, nullptr, kura::newUuid()));
}
BENCHMARK(BuildEvent);

void BuildEventText(benchmark::State& state) {
  auto context = noopContext();
  for (auto _ : state) {
    benchmark::DoNotOptimize(kura::trailEventText(context, &kInput, &kOutput, nullptr, kura::newUuid()));
  }
}
BENCHMARK(BuildEventText);

void ChainHash(benchmark::State& state) {
  std::string text(700, 'x');
  std::string previous(64, 'a');
  uint64_t sequence = 1;
  for (auto _ : state) benchmark::DoNotOptimize(kura::trail::recordHash(previous, sequence++, text));
}
BENCHMARK(ChainHash);

// Build and append; arg 1: a change (written at once), 0: a read (buffered).
void Append(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / ("kura-trail-cost-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto writer = kura::TrailWriter::open({dir, std::chrono::seconds(3600)}, kura::realClock());
  auto context = noopContext();
  bool changed = state.range(0) != 0;
  for (auto _ : state) {
    (*writer)->appendText(kura::trailEventText(context, &kInput, &kOutput, nullptr, kura::newUuid()), changed);
  }
  (*writer)->stop();
  std::filesystem::remove_all(dir);
}
BENCHMARK(Append)->Arg(1)->Arg(0);

}  // namespace

BENCHMARK_MAIN();
