#include "common/deferred_syncs.h"

namespace kura {
namespace {
thread_local DeferredSyncs* openScope = nullptr;
}  // namespace

DeferredSyncs::DeferredSyncs() : outer_(openScope) {
  if (outer_ == nullptr) openScope = this;
}

DeferredSyncs::~DeferredSyncs() {
  try {
    waitAll();
  } catch (...) {
    // A wait does not throw (GroupCommit turns a sync's exception into its
    // error text); nothing may leave a destructor.
  }
  if (outer_ == nullptr) openScope = nullptr;
}

DeferredSyncs* DeferredSyncs::current() { return openScope; }

void DeferredSyncs::defer(std::function<std::string()> wait) { waits_.push_back(std::move(wait)); }

std::string DeferredSyncs::waitAll() {
  if (outer_ != nullptr) return outer_->waitAll();
  for (auto& wait : waits_) {
    std::string error = wait();
    if (firstError_.empty()) firstError_ = std::move(error);
  }
  waits_.clear();
  // Kept: an inner scope's waitAll() may have run a wait of the outer
  // call's, whose own waitAll() must still answer its failure.
  return firstError_;
}

}  // namespace kura
