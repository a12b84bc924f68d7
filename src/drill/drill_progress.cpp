#include "drill/drill_progress.h"

#include <fmt/format.h>

namespace kura::drill {

void DrillProgress::endStatusLocked() {
  if (!statusShown_) return;
  fmt::print(out_, "\n");
  statusShown_ = false;
}

void DrillProgress::step(double at, std::string_view what) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  endStatusLocked();
  fmt::print(out_, "[{:7.1f} s] {}\n", at, what);
  std::fflush(out_);
  lastStatusAt_ = -1e9;  // the next wait's first status is shown at once
}

void DrillProgress::status(double at, std::string_view what) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (at - lastStatusAt_ < (terminal_ ? 0.2 : 5.0)) return;
  lastStatusAt_ = at;
  if (terminal_) {
    fmt::print(out_, "\r\033[K[{:7.1f} s]   {}", at, what);
    statusShown_ = true;
  } else {
    fmt::print(out_, "[{:7.1f} s]   {}\n", at, what);
  }
  std::fflush(out_);
}

void DrillProgress::finish() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  endStatusLocked();
  std::fflush(out_);
}

}  // namespace kura::drill
