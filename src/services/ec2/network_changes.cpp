#include "services/ec2/network_changes.h"

#include <atomic>

namespace kura::ec2 {
namespace {

std::atomic<uint64_t> generation{0};

}  // namespace

// Release/acquire: a reader that sees the new generation also sees what
// the writer committed before it.
void noteNetworkChange() { generation.fetch_add(1, std::memory_order_acq_rel); }

uint64_t networkGeneration() { return generation.load(std::memory_order_acquire); }

}  // namespace kura::ec2
