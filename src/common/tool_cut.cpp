#include "common/tool_cut.h"

namespace kura {
namespace {

thread_local const std::atomic<bool>* scopeFlag = nullptr;
thread_local uint64_t cutCount = 0;

}  // namespace

ToolCutScope::ToolCutScope(const std::atomic<bool>& wanted) : before_(scopeFlag) { scopeFlag = &wanted; }
ToolCutScope::~ToolCutScope() { scopeFlag = before_; }

bool toolCutDue() { return scopeFlag != nullptr && scopeFlag->load(std::memory_order_relaxed); }

void cutShort() {
  ++cutCount;
  throw ToolCut();
}

uint64_t toolsCutOnThisThread() { return cutCount; }

}  // namespace kura
