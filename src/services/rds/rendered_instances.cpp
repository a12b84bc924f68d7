#include "services/rds/rendered_instances.h"

#include <utility>

namespace kura::rds {

void RenderedInstances::touch(Entry& entry, std::chrono::steady_clock::time_point now) {
  entry.usedAt = now;
  used_.splice(used_.begin(), used_, entry.used);
}

std::shared_ptr<const Resource> RenderedInstances::record(const Resource& row) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(row.id);
  if (found == entries_.end() || found->second.record->version != row.version) return nullptr;
  touch(found->second, std::chrono::steady_clock::now());
  return found->second.record;
}

bool RenderedInstances::hasRoom(int64_t id, std::chrono::steady_clock::time_point now) const {
  if (entries_.count(id) != 0 || entries_.size() < capacity_) return true;
  if (used_.empty()) return false;
  return now - entries_.at(used_.back()).usedAt >= idle_;
}

std::shared_ptr<const nlohmann::json> RenderedInstances::view(
    const std::shared_ptr<const Resource>& record, const std::function<nlohmann::json(const Resource&)>& render) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(record->id);
    if (found != entries_.end() && found->second.record->version == record->version) {
      touch(found->second, now);
      return found->second.view;
    }
    if (!hasRoom(record->id, now)) return nullptr;
  }
  auto made = std::make_shared<const nlohmann::json>(render(*record));
  std::vector<Entry> gone;  // freed after the lock
  gone.reserve(1);          // allocated before: moving an entry out must not fail
  std::lock_guard lock(mutex_);
  now = std::chrono::steady_clock::now();
  auto found = entries_.find(record->id);
  if (found == entries_.end()) {
    if (!hasRoom(record->id, now)) return made;  // taken meanwhile
    if (entries_.size() >= capacity_) {
      auto last = entries_.find(used_.back());
      gone.push_back(std::move(last->second));
      entries_.erase(last);
      used_.pop_back();
    }
    used_.push_front(record->id);
    try {
      entries_.emplace(record->id, Entry{record, made, used_.begin(), now});
    } catch (...) {
      used_.pop_front();
      throw;
    }
  } else {
    Entry& entry = found->second;
    touch(entry, now);
    // Another call kept a newer version meanwhile: this answer still uses
    // its own record's view, but the newer one stays.
    if (entry.record->version > record->version) return made;
    gone.push_back(Entry{std::move(entry.record), std::move(entry.view), entry.used, entry.usedAt});
    entry.record = record;
    entry.view = made;
  }
  return made;
}

size_t RenderedInstances::size() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace kura::rds
