#include "metrics/request_metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace kura::metrics {
namespace {

using std::chrono::milliseconds;


std::string page(const RequestMetrics& metrics) {
  MetricText text;
  metrics.render(text);
  return text.take();
}

TEST(RequestMetrics, CountsCallsErrorsAndLatency) {
  RequestMetrics metrics(ServedOperations{{"dynamodb", {"GetItem", "PutItem"}}});
  metrics.record(metrics.slot("dynamodb", "GetItem"), "", milliseconds(3));
  metrics.record(metrics.slot("dynamodb", "GetItem"), "ResourceNotFoundException", milliseconds(30));
  std::string text = page(metrics);
  EXPECT_NE(text.find("kura_api_requests_total{service=\"dynamodb\",operation=\"GetItem\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("kura_api_request_errors_total{service=\"dynamodb\",operation=\"GetItem\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("kura_api_errors_total{service=\"dynamodb\",code=\"ResourceNotFoundException\"} 1\n"),
            std::string::npos);
  // 3 ms falls in le=0.005, 30 ms in le=0.05; the buckets are cumulative.
  EXPECT_NE(text.find("operation=\"GetItem\",le=\"0.0025\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("operation=\"GetItem\",le=\"0.005\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("operation=\"GetItem\",le=\"0.05\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("operation=\"GetItem\",le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("kura_api_request_duration_seconds_sum{service=\"dynamodb\",operation=\"GetItem\"} 0.033\n"),
            std::string::npos);
  // An operation never called is left out.
  EXPECT_EQ(text.find("PutItem"), std::string::npos);
}

TEST(RequestMetrics, WhatKuraDoesNotServeCountsAsOther) {
  RequestMetrics metrics(ServedOperations{{"dynamodb", {"GetItem"}}});
  metrics.record(metrics.slot("dynamodb", "Nope\"{}"), "UnknownOperationException", milliseconds(1));
  metrics.record(metrics.slot("made-up\nservice", "X"), "UnknownService", milliseconds(1));
  std::string text = page(metrics);
  EXPECT_NE(text.find("kura_api_requests_total{service=\"dynamodb\",operation=\"other\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("kura_api_requests_total{service=\"other\",operation=\"other\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("made-up"), std::string::npos);
  EXPECT_EQ(text.find("Nope"), std::string::npos);
}

TEST(RequestMetrics, ErrorCodesAreBounded) {
  RequestMetrics metrics(ServedOperations{{"dynamodb", {"GetItem"}}});
  for (size_t index = 0; index < kMaxErrorCodes + 100; ++index) {
    metrics.record(metrics.slot("dynamodb", "GetItem"), "Code" + std::to_string(index), milliseconds(1));
  }
  std::string text = page(metrics);
  EXPECT_NE(text.find("kura_api_errors_total{service=\"other\",code=\"other\"} 100\n"), std::string::npos);
}

TEST(RequestMetrics, NoteAndFinishCountOnTheirThread) {
  RequestMetrics metrics(ServedOperations{{"rds", {"DescribeDBInstances"}}});
  std::thread([&] {
    metrics.noteCall("rds", "DescribeDBInstances", "");
    metrics.finishCall(milliseconds(2));
    metrics.finishCall(milliseconds(2));  // nothing noted: not counted
  }).join();
  EXPECT_NE(page(metrics).find("operation=\"DescribeDBInstances\"} 1\n"), std::string::npos);
}

TEST(RequestMetrics, AnOwedAnswerCountsWhenItIsSentOnItsThread) {
  RequestMetrics metrics(ServedOperations{{"dynamodb", {"PutItem", "DeleteItem"}}});
  auto started = std::chrono::steady_clock::now();
  HttpResponse::Send sendLater;
  HttpResponse response;
  response.answerLater = [&](HttpResponse::Send send) { sendLater = std::move(send); };
  metrics.noteCall("dynamodb", "PutItem", "");
  metrics.finishCall(response, started);
  ASSERT_TRUE(response.answerLater);
  EXPECT_EQ(page(metrics).find("PutItem"), std::string::npos);  // not answered yet

  int sent = 0;
  response.answerLater([&](HttpResponse answer) { sent = answer.status; });
  ASSERT_TRUE(sendLater);
  // The sync ends on another thread, 60 ms on, and fails: a 500.
  std::thread([&] {
    std::this_thread::sleep_for(milliseconds(60));
    HttpResponse failed;
    failed.status = 500;
    sendLater(std::move(failed));
  }).join();
  EXPECT_EQ(sent, 500);
  std::string text = page(metrics);
  EXPECT_NE(text.find("kura_api_requests_total{service=\"dynamodb\",operation=\"PutItem\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("kura_api_request_errors_total{service=\"dynamodb\",operation=\"PutItem\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("code=\"InternalFailure\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("operation=\"PutItem\",le=\"0.05\"} 0\n"), std::string::npos);

  // An answer ready at once is counted at once.
  HttpResponse ready;
  metrics.noteCall("dynamodb", "DeleteItem", "");
  metrics.finishCall(ready, started);
  EXPECT_NE(page(metrics).find("operation=\"DeleteItem\"} 1\n"), std::string::npos);
}

TEST(RequestMetrics, CountsEveryCallOfManyThreads) {
  RequestMetrics metrics(ServedOperations{{"dynamodb", {"GetItem"}}});
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&] {
      for (int call = 0; call < 10000; ++call) {
        metrics.record(metrics.slot("dynamodb", "GetItem"), call % 2 ? "A" : "", milliseconds(1));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::string text = page(metrics);
  EXPECT_NE(text.find("kura_api_requests_total{service=\"dynamodb\",operation=\"GetItem\"} 40000\n"),
            std::string::npos);
  EXPECT_NE(text.find("kura_api_errors_total{service=\"dynamodb\",code=\"A\"} 20000\n"), std::string::npos);
}

}  // namespace
}  // namespace kura::metrics
