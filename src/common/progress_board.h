#pragma once
// How far long operations under way have come, by resource ARN, in memory:
// a controller's step that copies data (a DB snapshot taken or copied)
// reports its progress here while it runs, and the API's views read it
// (DBSnapshot.PercentProgress) while the resource is still being created.
// Lost at a restart of Kura, as the step then starts again from 0.
//
// ProgressWatch polls a measure of the work (a fraction from 0 to 1) every
// 250 ms on a thread of its own while it lives; the percent it reports
// stays below 100 (the record says 100 once the resource is available).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace kura {

class ProgressBoard {
 public:
  static ProgressBoard& instance();
  void set(const std::string& arn, int percent);
  std::optional<int> get(const std::string& arn) const;
  // What a view shows: the progress reported while `creating`, else (and
  // before any report) the recorded value.
  int percentOf(const std::string& arn, bool creating, int recorded) const;

 private:
  struct Entry {
    int percent = 0;
    std::chrono::steady_clock::time_point at;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;  // guarded by mutex_
};

class ProgressWatch {
 public:
  // `measure` answers the fraction done, or empty when it cannot tell.
  ProgressWatch(std::string arn, std::function<std::optional<double>()> measure,
                std::chrono::milliseconds every = std::chrono::milliseconds(250));
  ~ProgressWatch();
  ProgressWatch(const ProgressWatch&) = delete;
  ProgressWatch& operator=(const ProgressWatch&) = delete;

 private:
  void report();

  std::string arn_;
  std::function<std::optional<double>()> measure_;
  std::chrono::milliseconds every_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  int reported_ = 0;       // never goes back
  std::thread thread_;
};

}  // namespace kura
