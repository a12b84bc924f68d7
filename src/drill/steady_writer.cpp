#include "drill/steady_writer.h"

namespace kura::drill {

SteadyWriter::SteadyWriter(Workload& workload, std::chrono::steady_clock::time_point drillStart,
                           std::chrono::milliseconds interval, std::chrono::milliseconds timeout)
    : workload_(workload), drillStart_(drillStart), interval_(interval), timeout_(timeout) {}

SteadyWriter::~SteadyWriter() { stop(); }

void SteadyWriter::start() {
  thread_ = std::thread([this] { run(); });
}

void SteadyWriter::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<WriteAttempt> SteadyWriter::attempts() const {
  std::lock_guard lock(mutex_);
  return attempts_;
}

void SteadyWriter::run() {
  using Seconds = std::chrono::duration<double>;
  int64_t next = 1;
  while (!stopping_) {
    auto began = std::chrono::steady_clock::now();
    WriteAttempt attempt;
    attempt.id = next++;
    attempt.startSeconds = Seconds(began - drillStart_).count();
    auto error = workload_.write(attempt.id, timeout_);
    auto ended = std::chrono::steady_clock::now();
    attempt.latencySeconds = Seconds(ended - began).count();
    attempt.acked = !error.has_value();
    if (error) attempt.error = *error;
    {
      std::lock_guard lock(mutex_);
      attempts_.push_back(std::move(attempt));
    }
    auto due = began + interval_;
    while (!stopping_ && std::chrono::steady_clock::now() < due) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(due - std::chrono::steady_clock::now(),
                                                                                std::chrono::milliseconds(5)));
    }
  }
}

}  // namespace kura::drill
