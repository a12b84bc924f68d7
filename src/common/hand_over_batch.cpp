#include "common/hand_over_batch.h"

#include <utility>

namespace kura {
namespace {
thread_local HandOverBatch* openBatch = nullptr;
}  // namespace

HandOverBatch::HandOverBatch() {
  if (openBatch == nullptr) {
    openBatch = this;
    outermost_ = true;
  }
}

HandOverBatch::~HandOverBatch() {
  if (!outermost_) return;
  openBatch = nullptr;
  for (Loop& loop : loops_) {
    try {
      loop.deliver(std::move(loop.works));
    } catch (...) {
      // Posting failed (out of memory): nothing may leave a destructor.
    }
  }
}

void HandOverBatch::handOver(const void* loop, const Deliver& deliver, Work work) {
  HandOverBatch* batch = openBatch;
  if (batch == nullptr) {
    std::vector<Work> works;
    works.push_back(std::move(work));
    deliver(std::move(works));
    return;
  }
  for (Loop& each : batch->loops_) {
    if (each.loop == loop) {
      each.works.push_back(std::move(work));
      return;
    }
  }
  batch->loops_.push_back({loop, deliver, {}});
  batch->loops_.back().works.push_back(std::move(work));
}

}  // namespace kura
