// What /_kura/metrics costs an API call (the request path's half: a slot
// looked up by service and operation, a call noted, its latency added to
// atomic counters), on one thread and with threads counting the same
// operation at once; and what rendering the page of a busy server costs a
// scrape. Google Benchmark; run build/bench/kura_metrics_record_cost.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "metrics/request_metrics.h"

namespace {

using kura::metrics::RequestMetrics;
using kura::metrics::ServedOperations;

// A table of Kura's size: 14 services, 60 operations each.
ServedOperations servedLikeKura() {
  ServedOperations served;
  for (int service = 0; service < 13; ++service) {
    std::vector<std::string> operations;
    for (int operation = 0; operation < 60; ++operation) operations.push_back("Operation" + std::to_string(operation));
    served.emplace_back("service" + std::to_string(service), operations);
  }
  served.emplace_back("dynamodb", std::vector<std::string>{"BatchGetItem", "DescribeTable", "GetItem", "PutItem",
                                                           "Query", "Scan", "UpdateItem"});
  return served;
}

RequestMetrics& shared() {
  static RequestMetrics metrics(servedLikeKura());
  return metrics;
}

// noteCall (in the gateway's observer) and finishCall (in the HTTP handler)
// of a successful GetItem.
void NoteAndFinish(benchmark::State& state) {
  RequestMetrics& metrics = shared();
  for (auto _ : state) {
    metrics.noteCall("dynamodb", "GetItem", "");
    metrics.finishCall(std::chrono::microseconds(150));
  }
}
BENCHMARK(NoteAndFinish)->ThreadRange(1, 4)->UseRealTime();

// The same, of a call that failed (its code counted too).
void NoteAndFinishError(benchmark::State& state) {
  RequestMetrics& metrics = shared();
  for (auto _ : state) {
    metrics.noteCall("dynamodb", "GetItem", "ConditionalCheckFailedException");
    metrics.finishCall(std::chrono::microseconds(150));
  }
}
BENCHMARK(NoteAndFinishError)->ThreadRange(1, 4)->UseRealTime();

// The requests' part of a scrape with every operation called.
void Render(benchmark::State& state) {
  RequestMetrics metrics(servedLikeKura());
  for (const auto& [service, operations] : servedLikeKura()) {
    for (const auto& operation : operations) {
      metrics.record(metrics.slot(service, operation), "", std::chrono::microseconds(100));
    }
  }
  for (auto _ : state) {
    kura::metrics::MetricText text;
    metrics.render(text);
    benchmark::DoNotOptimize(text.text().size());
  }
}
BENCHMARK(Render)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
