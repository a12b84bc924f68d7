#pragma once
// For tests of work that runs on other threads: whether `done` holds
// within `limit`, asked every 10 ms.
#include <chrono>
#include <thread>

namespace kura::test_support {

template <typename Done>
bool within(std::chrono::milliseconds limit, Done done) {
  for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace kura::test_support
