#pragma once
// What a running drill is doing, on standard error while it runs: a line per
// step ("[   12.3 s] injecting the fault"), and while it waits a status line
// (the writes acknowledged since the fault, a resource's status), rewritten
// in place on a terminal and repeated at most every 5 s elsewhere, so a CI
// log shows a long wait moving. Shown when standard error is a terminal or
// `kura drill --progress` asks; standard output holds the report either way.
#include <cstdio>
#include <mutex>
#include <string_view>

namespace kura::drill {

class DrillProgress {
 public:
  // `terminal`: the status line is rewritten in place.
  DrillProgress(std::FILE* out, bool enabled, bool terminal) : out_(out), enabled_(enabled), terminal_(terminal) {}
  DrillProgress(const DrillProgress&) = delete;
  DrillProgress& operator=(const DrillProgress&) = delete;

  // `at`: seconds since the drill started.
  void step(double at, std::string_view what);
  void status(double at, std::string_view what);
  // Ends a status line left on a terminal (before the report is printed).
  void finish();

 private:
  void endStatusLocked();

  std::FILE* out_;
  bool enabled_;
  bool terminal_;
  std::mutex mutex_;
  bool statusShown_ = false;
  double lastStatusAt_ = -1e9;
};

}  // namespace kura::drill
