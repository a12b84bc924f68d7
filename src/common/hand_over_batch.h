#pragma once
// Work handed to other threads' event loops by a batch of callbacks (a
// group commit's waiters, called back after one sync), grouped by loop. A
// thread about to run many callbacks opens a batch; a callback that would
// post work to a loop adds it here instead, and when the batch closes each
// loop is handed all of its work at once: it wakes once per batch, not
// once per callback (and does not preempt the callbacks' thread before
// they have all run). Without an open batch, work is handed over at once.
#include <functional>
#include <vector>

namespace kura {

class HandOverBatch {
 public:
  using Work = std::function<void()>;
  // Hands the works over to the loop (posts one handler running them all).
  using Deliver = std::function<void(std::vector<Work> works)>;

  // Opens the batch on this thread (an inner one leaves the outer open).
  HandOverBatch();
  // Hands every loop its works.
  ~HandOverBatch();
  HandOverBatch(const HandOverBatch&) = delete;
  HandOverBatch& operator=(const HandOverBatch&) = delete;

  // Hands `work` over to the loop `loop` (any address naming it) through
  // `deliver`: at once without an open batch, else when it closes (with the
  // loop's other works, through the first `deliver` given for it).
  static void handOver(const void* loop, const Deliver& deliver, Work work);

 private:
  struct Loop {
    const void* loop;
    Deliver deliver;
    std::vector<Work> works;
  };
  std::vector<Loop> loops_;
  bool outermost_ = false;
};

}  // namespace kura
