#pragma once
// Engine ports from a fixed range (default 4510-4559), recorded in the
// catalog so that a restart gives every endpoint its old port back.
#include <optional>
#include <string>

#include "catalog/catalog.h"

namespace kura {

class PortAllocator {
 public:
  PortAllocator(Catalog& catalog, int first, int last) : catalog_(catalog), first_(first), last_(last) {}
  // A free port (not recorded and not bound by anyone), recorded for `owner`;
  // `wanted` if given and free. Empty when none is free. Call inside the
  // catalog transaction that creates the owner.
  std::optional<int> allocate(const std::string& owner, std::optional<int> wanted = std::nullopt);
  void release(int port);
  // Releases every port recorded for `owner` (one a crash kept from its
  // release, say).
  void releaseAllOf(const std::string& owner);

 private:
  Catalog& catalog_;
  int first_, last_;
};

// True when nothing listens on 127.0.0.1:port and it can be bound with
// SO_REUSEADDR, as an engine binds it (connections of an earlier user left
// in TIME_WAIT do not take it).
bool portIsFree(int port);

}  // namespace kura
