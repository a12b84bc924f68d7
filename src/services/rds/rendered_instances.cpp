#include "services/rds/rendered_instances.h"

#include <utility>

namespace kura::rds {

void RenderedInstances::touch(Entry& entry) { used_.splice(used_.begin(), used_, entry.used); }

std::shared_ptr<const Resource> RenderedInstances::record(const Resource& row) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(row.id);
  if (found == entries_.end() || found->second.record->version != row.version) return nullptr;
  touch(found->second);
  return found->second.record;
}

std::shared_ptr<const nlohmann::json> RenderedInstances::view(
    const std::shared_ptr<const Resource>& record, const std::function<nlohmann::json(const Resource&)>& render) {
  {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(record->id);
    if (found != entries_.end() && found->second.record->version == record->version) {
      touch(found->second);
      return found->second.view;
    }
  }
  auto made = std::make_shared<const nlohmann::json>(render(*record));
  std::lock_guard lock(mutex_);
  auto [at, fresh] = entries_.try_emplace(record->id);
  Entry& entry = at->second;
  if (fresh) {
    used_.push_front(record->id);
    entry.used = used_.begin();
  } else {
    touch(entry);
    // Another call kept a newer version meanwhile: this answer still uses
    // its own record's view, but the newer one stays.
    if (entry.record->version > record->version) return made;
  }
  entry.record = record;
  entry.view = made;
  while (entries_.size() > capacity_) {
    entries_.erase(used_.back());
    used_.pop_back();
  }
  return made;
}

size_t RenderedInstances::size() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace kura::rds
