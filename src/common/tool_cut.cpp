#include "common/tool_cut.h"

#include <atomic>

namespace kura {
namespace {

std::atomic<bool> cutWanted{false};
std::atomic<uint64_t> cutCount{0};
thread_local bool inScope = false;

}  // namespace

ToolCutScope::ToolCutScope() : before_(inScope) { inScope = true; }
ToolCutScope::~ToolCutScope() { inScope = before_; }

void requestToolCut(bool wanted) { cutWanted.store(wanted, std::memory_order_relaxed); }
bool toolCutDue() { return inScope && cutWanted.load(std::memory_order_relaxed); }
uint64_t toolsCut() { return cutCount.load(std::memory_order_relaxed); }
void noteToolCut() { cutCount.fetch_add(1, std::memory_order_relaxed); }

}  // namespace kura
