#pragma once
// What the RDS Describe calls share: Marker in and out, filter lists, and a
// page of records in name order.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/records.h"
#include "common/api_error.h"
#include "services/core/request_context.h"

namespace kura::rds {

// The name after which the page starts (the request's Marker, decoded; ""
// without one).
Result<std::string> markerOf(const nlohmann::json& in);
// True when `list` is empty (no such filter) or holds `value`.
bool listedIn(const std::vector<std::string>& list, const std::string& value);
// The first `limit` of `records` in name order, rendered under `listMember`,
// and a Marker when more follow.
nlohmann::json pageOfRecords(std::vector<Resource> records, size_t limit, const char* listMember,
                             const std::function<nlohmann::json(const Resource&)>& render);
// The same for views built beforehand, each with the key it sorts and pages
// by (the Marker is the last key shown).
nlohmann::json pageOfKeyed(std::vector<std::pair<std::string, nlohmann::json>> found, size_t limit,
                           const char* listMember);
// Up to `count` records of `kind` in the caller's account and region, named
// after `after`, that `keep` accepts, by name. The catalog is read a page at
// a time and no further than the records found need: a Describe call's page
// costs the same however many records the region (or Kura) holds.
std::vector<Resource> recordsAfter(Catalog& catalog, const RequestContext& c, const std::string& kind,
                                   std::string after, size_t count,
                                   const std::function<bool(const Resource&)>& keep);

}  // namespace kura::rds
