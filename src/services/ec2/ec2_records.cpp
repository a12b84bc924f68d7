#include "services/ec2/ec2_records.h"

#include <algorithm>
#include <charconv>

#include "catalog/arn.h"
#include "common/crypto.h"
#include "services/ec2/ec2_kinds.h"

namespace kura::ec2 {
namespace {

// The resource part of an ARN: vpc/vpc-..., subnet/subnet-..., security-group/sg-...
std::string arnKind(const std::string& kind) { return kind; }

struct IdKind {
  const char* kind;
  const char* prefix;
  const char* notFound;
  const char* malformed;
  const char* noun;
};

constexpr IdKind kVpcIds{kVpc, "vpc-", "InvalidVpcID.NotFound", "InvalidVpcID.Malformed", "vpc ID"};
constexpr IdKind kSubnetIds{kSubnet, "subnet-", "InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed",
                            "subnet ID"};
constexpr IdKind kGroupIds{kSecurityGroup, "sg-", "InvalidGroup.NotFound", "InvalidGroupId.Malformed",
                           "security group"};
constexpr IdKind kInterfaceIds{kNetworkInterface, "eni-", "InvalidNetworkInterfaceID.NotFound",
                               "InvalidNetworkInterfaceID.Malformed", "networkInterface ID"};

bool wellFormed(const std::string& id, const std::string& prefix) {
  if (id.size() <= prefix.size() || id.size() > prefix.size() + 17 || id.rfind(prefix, 0) != 0) return false;
  return std::all_of(id.begin() + static_cast<long>(prefix.size()), id.end(),
                     [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
}

Result<Resource> find(Catalog& catalog, const RequestContext& c, const IdKind& kind, const std::string& id) {
  if (!wellFormed(id, kind.prefix)) {
    return ApiError::sender(kind.malformed, "Invalid id: \"" + id + "\" (expecting \"" + kind.prefix + "...\")");
  }
  auto record = catalog.getResource(c.accountId, c.region, kind.kind, id);
  if (!record) {
    if (kind.kind == std::string(kSecurityGroup)) {
      return ApiError::sender(kind.notFound, "The security group '" + id + "' does not exist");
    }
    return ApiError::sender(kind.notFound, "The " + std::string(kind.noun) + " '" + id + "' does not exist");
  }
  return record;
}

// EC2's wildcards: * any run, ? any one character.
bool wildcardMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool anyMatches(const std::vector<std::string>& patterns, const std::vector<std::string>& values) {
  for (const auto& pattern : patterns) {
    for (const auto& value : values) {
      if (wildcardMatch(pattern, value)) return true;
    }
  }
  return false;
}

}  // namespace

std::string newId(const std::string& prefix) { return prefix + "-" + toHex(randomBytes(9)).substr(0, 17); }

std::string arnOf(const RequestContext& c, const std::string& kind, const std::string& id) {
  return makeArn(kService, c.region, c.accountId, arnKind(kind) + "/" + id);
}

Resource newRecord(const RequestContext& c, const std::string& kind, const std::string& id, Json spec) {
  Resource record;
  record.accountId = c.accountId;
  record.region = c.region;
  record.service = kService;
  record.kind = kind;
  record.name = id;
  record.arn = arnOf(c, kind, id);
  record.status = kAvailable;
  record.goal = kAvailable;
  record.spec = std::move(spec);
  return record;
}

std::vector<Resource> listAll(Catalog& catalog, const RequestContext& c, const std::string& kind) {
  std::vector<Resource> all;
  std::string after;
  while (true) {
    ResourcePage page = catalog.listResources(c.accountId, c.region, kind, after, 500);
    for (auto& record : page.items) all.push_back(std::move(record));
    if (!page.truncated || all.empty()) break;
    after = all.back().name;
  }
  return all;
}

Result<Resource> findVpc(Catalog& catalog, const RequestContext& c, const std::string& id) {
  return find(catalog, c, kVpcIds, id);
}
Result<Resource> findSubnet(Catalog& catalog, const RequestContext& c, const std::string& id) {
  return find(catalog, c, kSubnetIds, id);
}
Result<Resource> findGroup(Catalog& catalog, const RequestContext& c, const std::string& id) {
  return find(catalog, c, kGroupIds, id);
}
Result<Resource> findInterface(Catalog& catalog, const RequestContext& c, const std::string& id) {
  return find(catalog, c, kInterfaceIds, id);
}

std::vector<std::string> zonesOf(const std::string& region) { return {region + "a", region + "b", region + "c"}; }

std::string zoneIdOf(const std::string& region, const std::string& zone) {
  // "ap-northeast-1": ap + n + e + 1; "us-east-1": us + e + 1.
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dash = region.find('-', start);
    parts.push_back(region.substr(start, dash == std::string::npos ? std::string::npos : dash - start));
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  std::string id = parts.front();
  for (size_t index = 1; index < parts.size(); ++index) {
    const std::string& part = parts[index];
    if (part.empty()) continue;
    if (part[0] >= '0' && part[0] <= '9') {
      id += part;
      continue;
    }
    id += part[0];
    for (const char* direction : {"north", "south"}) {
      std::string_view d(direction);
      if (part.rfind(d, 0) == 0 && part.size() > d.size()) id += part[d.size()];
    }
  }
  size_t index = zone.empty() ? 0 : static_cast<size_t>(zone.back() - 'a');
  return id + "-az" + std::to_string(index + 1);
}

Json tagList(const std::vector<Tag>& tags) {
  Json out = Json::array();
  for (const Tag& tag : tags) out.push_back({{"Key", tag.key}, {"Value", tag.value}});
  return out;
}

Result<std::vector<Tag>> checkedTags(const Json& tags) {
  std::vector<Tag> out;
  if (!tags.is_array()) return out;
  for (const auto& tag : tags) {
    std::string key = tag.value("Key", "");
    std::string value = tag.value("Value", "");
    if (key.empty() || key.size() > 128) {
      return ApiError::sender("InvalidParameterValue", "Tag keys must be between 1 and 128 characters.");
    }
    if (key.rfind("aws:", 0) == 0) {
      return ApiError::sender("InvalidParameterValue",
                              "Tag keys starting with 'aws:' are reserved for internal use");
    }
    if (value.size() > 256) {
      return ApiError::sender("InvalidParameterValue", "Tag values may be at most 256 characters.");
    }
    out.push_back({key, value});
  }
  if (out.size() > 50) return ApiError::sender("TagLimitExceeded", "The maximum number of tags is 50.");
  return out;
}

Result<std::vector<Tag>> tagsToApply(const Json& in, const std::string& resourceType) {
  std::vector<Tag> out;
  auto specs = in.find("TagSpecifications");
  if (specs == in.end()) return out;
  for (const auto& spec : *specs) {
    std::string type = spec.value("ResourceType", "");
    if (type != resourceType) {
      return ApiError::sender("InvalidParameterValue", "'" + type +
                                                           "' is not a valid taggable resource type for this "
                                                           "operation.");
    }
    auto tags = checkedTags(spec.value("Tags", Json::array()));
    if (!tags) return tags.error();
    out.insert(out.end(), tags->begin(), tags->end());
  }
  return out;
}

constexpr size_t kMaxFilters = 50;
constexpr size_t kMaxFilterValues = 200;

Result<std::vector<Filter>> parseFilters(const Json& in, const std::vector<std::string>& known) {
  std::vector<Filter> filters;
  auto given = in.find("Filters");
  if (given == in.end()) return filters;
  // EC2's own bounds: up to 50 filters, each with up to 200 values.
  if (given->size() > kMaxFilters) {
    return ApiError::sender("FilterLimitExceeded", "The maximum number of filters is " + std::to_string(kMaxFilters) + ".");
  }
  for (const auto& entry : *given) {
    Filter filter;
    filter.name = entry.value("Name", "");
    bool isTag = filter.name.rfind("tag:", 0) == 0 || filter.name == "tag-key" || filter.name == "tag-value";
    if (!isTag && std::find(known.begin(), known.end(), filter.name) == known.end()) {
      return ApiError::sender("InvalidParameterValue", "The filter '" + filter.name + "' is invalid");
    }
    if (entry.contains("Values")) filter.values = entry["Values"].get<std::vector<std::string>>();
    if (filter.values.size() > kMaxFilterValues) {
      return ApiError::sender("FilterLimitExceeded", "The maximum number of values for the filter '" + filter.name +
                                                         "' is " + std::to_string(kMaxFilterValues) + ".");
    }
    filters.push_back(std::move(filter));
  }
  return filters;
}

bool matchesFilters(const std::vector<Filter>& filters, const FilterValues& values, const std::vector<Tag>& tags) {
  for (const Filter& filter : filters) {
    std::vector<std::string> have;
    if (filter.name.rfind("tag:", 0) == 0) {
      std::string key = filter.name.substr(4);
      for (const Tag& tag : tags) {
        if (tag.key == key) have.push_back(tag.value);
      }
    } else if (filter.name == "tag-key" || filter.name == "tag-value") {
      for (const Tag& tag : tags) have.push_back(filter.name == "tag-key" ? tag.key : tag.value);
    } else if (auto it = values.find(filter.name); it != values.end()) {
      have = it->second;
    }
    if (!anyMatches(filter.values, have)) return false;
  }
  return true;
}

Result<Json> pageOf(const Json& in, Json items, Json& out) {
  size_t start = 0;
  if (auto token = in.find("NextToken"); token != in.end()) {
    const std::string text = token->get<std::string>();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), start);
    if (ec != std::errc() || end != text.data() + text.size() || start > items.size()) {
      return ApiError::sender("InvalidNextToken", "The token '" + text + "' is invalid.");
    }
  }
  size_t limit = items.size();
  if (auto max = in.find("MaxResults"); max != in.end() && max->is_number_integer()) {
    limit = static_cast<size_t>(std::max<long long>(1, max->get<long long>()));
  }
  Json page = Json::array();
  size_t index = start;
  for (; index < items.size() && page.size() < limit; ++index) page.push_back(std::move(items[index]));
  if (index < items.size()) out["NextToken"] = std::to_string(index);
  return page;
}

ApiError dryRunError() {
  return ApiError::sender("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
}

}  // namespace kura::ec2
