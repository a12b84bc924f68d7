#include "common/deferred_syncs.h"

#include <atomic>
#include <memory>
#include <utility>

#include "common/group_commit.h"

namespace kura {
namespace {
thread_local DeferredSyncs* openScope = nullptr;

std::string outcome(const PendingSync& wait, const std::string& error) {
  if (error.empty() || !wait.onFailure) return error;
  return wait.onFailure(error);
}
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

void DeferredSyncs::defer(GroupCommit& commit, uint64_t ticket,
                          std::function<std::string(const std::string&)> onFailure) {
  waits_.push_back({&commit, ticket, std::move(onFailure)});
}

void DeferredSyncs::deferStart(GroupCommit& commit, std::function<std::string(const std::string&)> onFailure) {
  for (const PendingSync& wait : waits_) {
    if (wait.commit == &commit && wait.ticket == 0) return;
  }
  waits_.push_back({&commit, 0, std::move(onFailure)});
}

void DeferredSyncs::setCarrier(TrailCarrier* carrier) {
  if (outer_ != nullptr) return outer_->setCarrier(carrier);
  carrier_ = carrier;
}

TrailCarrier* DeferredSyncs::carrier() const { return outer_ != nullptr ? outer_->carrier() : carrier_; }

void DeferredSyncs::startLeft() {
  // All started before any is waited for: they run beside each other.
  for (PendingSync& wait : waits_) {
    if (wait.ticket == 0) wait.ticket = wait.commit->start();
  }
}

std::string DeferredSyncs::waitAll() {
  if (outer_ != nullptr) return outer_->waitAll();
  startLeft();
  for (const PendingSync& wait : waits_) {
    std::string error = outcome(wait, wait.commit->wait(wait.ticket));
    if (firstError_.empty()) firstError_ = std::move(error);
  }
  waits_.clear();
  // Kept: an inner scope's waitAll() may have run a wait of the outer
  // call's, whose own waitAll() must still answer its failure.
  return firstError_;
}

std::vector<PendingSync> DeferredSyncs::release() {
  startLeft();
  std::vector<PendingSync> waits;
  std::swap(waits, waits_);
  return waits;
}

void DeferredSyncs::whenAll(std::vector<PendingSync> waits, std::string errorSoFar,
                            std::function<void(const std::string& error)> done) {
  if (waits.empty()) {
    done(errorSoFar);
    return;
  }
  // Shared by the callbacks; the last one to end answers.
  struct State {
    std::vector<PendingSync> waits;
    std::vector<std::string> errors;
    std::atomic<size_t> left;
    std::string errorSoFar;
    std::function<void(const std::string&)> done;
  };
  auto state = std::make_shared<State>();
  size_t count = waits.size();
  state->waits = std::move(waits);
  state->errors.resize(count);
  state->left.store(count);
  state->errorSoFar = std::move(errorSoFar);
  state->done = std::move(done);
  for (size_t i = 0; i < count; ++i) {
    const PendingSync& wait = state->waits[i];
    wait.commit->whenCovered(wait.ticket, [state, i](const std::string& error) {
      // Each callback writes its own slot; the last one reads them all
      // (the counter's acquire-release orders the writes before).
      state->errors[i] = outcome(state->waits[i], error);
      if (state->left.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      const std::string* first = &state->errorSoFar;
      for (const std::string& each : state->errors) {
        if (!first->empty()) break;
        first = &each;
      }
      state->done(*first);
    });
  }
}

}  // namespace kura
