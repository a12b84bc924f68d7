#pragma once
// A drill's steady workload against one resource, through the engine's own
// client: it writes sequence numbers one at a time and, after the fault,
// reads back which of them the resource holds. One implementation per kind
// of engine (SQL over libpq or libmariadb; a key-value store's next to it);
// SteadyWriter drives any of them.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace kura::drill {

class Workload {
 public:
  virtual ~Workload() = default;
  // What it writes to, for the report ("PostgreSQL table kura_drill_1a2b at host:port").
  virtual std::string describe() const = 0;
  // Creates what it writes into; an error is one sentence.
  virtual std::optional<std::string> prepare() = 0;
  // Writes `id` on the current connection (a new one after a failure),
  // within `timeout`; empty when acknowledged, else the error.
  virtual std::optional<std::string> write(int64_t id, std::chrono::milliseconds timeout) = 0;
  // Every id the resource holds now, on a new connection; nullopt and
  // `error` set when it cannot be read.
  virtual std::optional<std::set<int64_t>> readBack(std::string& error) = 0;
  // accidental-delete's accident: deletes every write so far, as a bad
  // statement would (DELETE without WHERE); an error is one sentence.
  virtual std::optional<std::string> eraseAll() { return "this workload cannot delete its writes"; }
  // Drops what prepare() made (best effort).
  virtual void cleanup() = 0;
};
using WorkloadPtr = std::unique_ptr<Workload>;

}  // namespace kura::drill
