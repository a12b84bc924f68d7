#include "services/rds/describe_paging.h"

#include <algorithm>

#include "catalog/pagination.h"

namespace kura::rds {

Result<std::string> markerOf(const nlohmann::json& in) {
  if (!in.contains("Marker")) return std::string();
  return decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
}

bool listedIn(const std::vector<std::string>& list, const std::string& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

nlohmann::json pageOfRecords(std::vector<Resource> records, size_t limit, const char* listMember,
                             const std::function<nlohmann::json(const Resource&)>& render) {
  std::sort(records.begin(), records.end(), [](const Resource& a, const Resource& b) { return a.name < b.name; });
  nlohmann::json out = {{listMember, nlohmann::json::array()}};
  for (size_t i = 0; i < records.size(); ++i) {
    if (i == limit) {
      out["Marker"] = encodeAfterName(records[i - 1].name);
      break;
    }
    out[listMember].push_back(render(records[i]));
  }
  return out;
}

nlohmann::json pageOfKeyed(std::vector<std::pair<std::string, nlohmann::json>> found, size_t limit,
                           const char* listMember) {
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::json out = {{listMember, nlohmann::json::array()}};
  for (size_t i = 0; i < found.size(); ++i) {
    if (i == limit) {
      out["Marker"] = encodeAfterName(found[i - 1].first);
      break;
    }
    out[listMember].push_back(std::move(found[i].second));
  }
  return out;
}

std::vector<Resource> recordsAfter(Catalog& catalog, const RequestContext& c, const std::string& kind,
                                   std::string after, size_t count,
                                   const std::function<bool(const Resource&)>& keep) {
  std::vector<Resource> found;
  while (found.size() < count) {
    ResourcePage page = catalog.listResources(c.accountId, c.region, kind, after, 100);
    for (Resource& record : page.items) {
      after = record.name;
      if (found.size() < count && keep(record)) found.push_back(std::move(record));
    }
    if (!page.truncated || page.items.empty()) break;
  }
  return found;
}

}  // namespace kura::rds
