#pragma once
// What a drill works with: the options it was given, the AWS client of the
// endpoint (credentials as `kura check` reads them), the drill's clock
// (seconds since it started), and its progress on standard error.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "client/aws_client.h"
#include "drill/drill_options.h"
#include "drill/drill_progress.h"
#include "drill/drill_report.h"

namespace kura::drill {

// A drill's report, or why it could not run (one sentence).
using DrillResult = std::variant<DrillReport, std::string>;

class DrillContext {
 public:
  DrillContext(client::AwsClient& client, DrillOptions options)
      : client_(client),
        options_(std::move(options)),
        start_(std::chrono::steady_clock::now()),
        startedAt_(std::chrono::system_clock::now()),
        progress_(stderr, options_.progress || ::isatty(STDERR_FILENO) == 1, ::isatty(STDERR_FILENO) == 1) {}

  client::AwsClient& client() { return client_; }
  const DrillOptions& options() const { return options_; }
  std::chrono::steady_clock::time_point start() const { return start_; }
  std::chrono::system_clock::time_point startedAt() const { return startedAt_; }
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  // What the drill starts doing now, and how a wait goes (drill_progress.h).
  void step(std::string_view what) { progress_.step(elapsed(), what); }
  void status(std::string_view what) { progress_.status(elapsed(), what); }
  DrillProgress& progress() { return progress_; }

 private:
  client::AwsClient& client_;
  DrillOptions options_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::system_clock::time_point startedAt_;
  DrillProgress progress_;
};

}  // namespace kura::drill
