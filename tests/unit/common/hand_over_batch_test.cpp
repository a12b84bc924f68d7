#include "common/hand_over_batch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kura {
namespace {

// Without a batch, work is handed over at once; within one, each loop gets
// all of its works in one delivery when the batch closes, in order, through
// the first deliverer given for it.
TEST(HandOverBatch, GroupsWorkPerLoopUntilTheBatchCloses) {
  std::vector<std::string> deliveries;
  std::string ran;
  int loopA = 0, loopB = 0;
  auto deliverTo = [&](const std::string& name) {
    return HandOverBatch::Deliver([&, name](std::vector<HandOverBatch::Work> works) {
      deliveries.push_back(name + ":" + std::to_string(works.size()));
      for (auto& work : works) work();
    });
  };
  HandOverBatch::handOver(&loopA, deliverTo("a"), [&] { ran += "0"; });
  EXPECT_EQ(deliveries, (std::vector<std::string>{"a:1"}));
  deliveries.clear();
  {
    HandOverBatch batch;
    HandOverBatch::handOver(&loopA, deliverTo("a"), [&] { ran += "1"; });
    HandOverBatch::handOver(&loopB, deliverTo("b"), [&] { ran += "2"; });
    {
      HandOverBatch inner;  // the outer batch stays the one that collects
      HandOverBatch::handOver(&loopA, deliverTo("a-again"), [&] { ran += "3"; });
    }
    EXPECT_TRUE(deliveries.empty());
    EXPECT_EQ(ran, "0");
  }
  EXPECT_EQ(deliveries, (std::vector<std::string>{"a:2", "b:1"}));
  EXPECT_EQ(ran, "0132");
}

}  // namespace
}  // namespace kura
