#include "cache/cache_parameters.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cstdlib>

#include "cache/memcached_nodes.h"
#include "cache/node_type_memory.h"

namespace kura::cache {
namespace {

std::optional<long long> integerOf(std::string_view text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [at, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || at != end) return std::nullopt;
  return value;
}

std::optional<double> numberOf(std::string_view text) {
  // Digits, one point, an optional sign: no exponents, no "nan" or "inf".
  if (text.empty() || text.size() > 32) return std::nullopt;
  size_t points = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '.') {
      ++points;
    } else if (!(std::isdigit(static_cast<unsigned char>(ch)) || (i == 0 && ch == '-'))) {
      return std::nullopt;
    }
  }
  if (points > 1 || text == "-" || text == "." || text.back() == '.') return std::nullopt;
  return std::strtod(std::string(text).c_str(), nullptr);
}

// Whether `value` is one of the allowed values' items: a literal ("yes",
// "-2") or a range ("1-75", "20-", "-1-", "1.01-2").
bool allowedBy(const CacheParameter& parameter, const std::string& value) {
  bool numeric = parameter.dataType == "integer" || parameter.dataType == "float";
  std::optional<double> number;
  if (parameter.dataType == "integer") {
    if (auto whole = integerOf(value)) number = static_cast<double>(*whole);
  } else if (parameter.dataType == "float") {
    number = numberOf(value);
  }
  if (numeric && !number) return false;
  std::string_view allowed = parameter.allowedValues;
  while (!allowed.empty()) {
    size_t comma = allowed.find(',');
    std::string_view item = allowed.substr(0, comma);
    allowed = comma == std::string_view::npos ? std::string_view() : allowed.substr(comma + 1);
    size_t dash = item.find('-', 1);
    if (!numeric || dash == std::string_view::npos) {
      if (numeric ? numberOf(item) == number : item == value) return true;
      continue;
    }
    auto low = numberOf(item.substr(0, dash));
    auto high = item.size() > dash + 1 ? numberOf(item.substr(dash + 1)) : std::nullopt;
    if (low && *number >= *low && (item.size() == dash + 1 || (high && *number <= *high))) return true;
  }
  return false;
}

}  // namespace

std::string redisFamilyOf(const std::string& version) {
  if (version.empty()) return "";
  return "redis" + version.substr(0, version.find('.'));
}

std::string memcachedFamilyOf(const std::string& version) {
  if (version.empty()) return "";
  size_t first = version.find('.');
  size_t second = first == std::string::npos ? std::string::npos : version.find('.', first + 1);
  return "memcached" + version.substr(0, second);
}

const CacheParameter* findCacheParameter(std::string_view family, std::string_view name) {
  const auto* all = cacheParametersOf(family);
  if (all == nullptr) return nullptr;
  auto it = std::find_if(all->begin(), all->end(), [&](const CacheParameter& p) { return p.name == name; });
  return it == all->end() ? nullptr : &*it;
}

std::string invalidCacheParameterValue(const CacheParameter& parameter, const std::string& value) {
  std::string name(parameter.name);
  if (value.size() > 256) return "The value of " + name + " is too long.";
  if (!parameter.letters.empty()) {
    // Each letter once at most, and only these.
    for (size_t i = 0; i < value.size(); ++i) {
      if (parameter.letters.find(value[i]) == std::string_view::npos || value.find(value[i]) != i) {
        return "Invalid value '" + value + "' for parameter " + name + ": it may hold each of the letters " +
               std::string(parameter.letters) + " once.";
      }
    }
    return "";
  }
  if (!allowedBy(parameter, value)) {
    return "Value '" + value + "' for parameter " + name + " is invalid. The allowed values are " +
           std::string(parameter.allowedValues) + ".";
  }
  if (parameter.multipleOf > 0 && *integerOf(value) % parameter.multipleOf != 0) {
    return "Value '" + value + "' for parameter " + name + " is invalid: it must be a multiple of " +
           std::to_string(parameter.multipleOf) + ".";
  }
  return "";
}

std::vector<std::pair<const CacheParameter*, std::string>> effectiveCacheParameters(std::string_view family,
                                                                                    const nlohmann::json& values) {
  std::vector<std::pair<const CacheParameter*, std::string>> effective;
  const auto* all = cacheParametersOf(family);
  if (all == nullptr) return effective;
  for (const CacheParameter& parameter : *all) {
    std::string value(parameter.defaultValue);
    std::string key(parameter.name);
    if (values.is_object() && values.contains(key) && values[key].is_string()) value = values[key];
    // A value stored before a rule tightened is not passed on.
    if (!invalidCacheParameterValue(parameter, value).empty()) value = std::string(parameter.defaultValue);
    effective.emplace_back(&parameter, std::move(value));
  }
  return effective;
}

std::string cacheFamilyOfOwner(const Resource& owner) {
  std::string version = owner.spec.value("EngineVersion", "");
  return isMemcached(owner) ? memcachedFamilyOf(version) : redisFamilyOf(version);
}

namespace {

// reserved-memory-percent: what it leaves of the node type's memory.
std::optional<uint64_t> maxMemoryLeft(std::string_view nodeType, const std::string& reservedPercent) {
  auto memory = nodeTypeMaxMemory(nodeType);
  if (!memory) return std::nullopt;
  // All of it reserved leaves no room for data: a limit of one byte, never
  // 0, which Redis takes for no limit at all.
  return std::max<uint64_t>(*memory / 100 * (100 - std::stoull(reservedPercent)), 1);
}

std::vector<std::pair<std::string, std::string>> redisSettings(const Resource& owner, bool immediateOnly) {
  std::vector<std::pair<std::string, std::string>> settings;
  for (const auto& [parameter, value] :
       effectiveCacheParameters(cacheFamilyOfOwner(owner), owner.spec.value("CacheParameters", nlohmann::json()))) {
    if (parameter->setting.empty() || (immediateOnly && (!parameter->immediate || !parameter->modifiable))) continue;
    if (parameter->setting == "maxmemory") {
      auto left = maxMemoryLeft(owner.spec.value("CacheNodeType", ""), value);
      if (left) settings.emplace_back("maxmemory", std::to_string(*left));
      continue;
    }
    settings.emplace_back(std::string(parameter->setting), value);
  }
  return settings;
}

}  // namespace

std::optional<uint64_t> redisMaxMemoryWith(const Resource& owner, std::string_view nodeType) {
  for (const auto& [parameter, value] :
       effectiveCacheParameters(cacheFamilyOfOwner(owner), owner.spec.value("CacheParameters", nlohmann::json()))) {
    if (parameter->setting == "maxmemory") return maxMemoryLeft(nodeType, value);
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> redisSettingsOf(const Resource& owner) {
  return redisSettings(owner, false);
}

std::vector<std::pair<std::string, std::string>> redisImmediateSettingsOf(const Resource& owner) {
  return redisSettings(owner, true);
}

std::vector<std::string> memcachedOptionsOf(const Resource& owner) {
  std::vector<std::string> options;
  for (const auto& [parameter, value] :
       effectiveCacheParameters(cacheFamilyOfOwner(owner), owner.spec.value("CacheParameters", nlohmann::json()))) {
    std::string setting(parameter->setting);
    if (setting.rfind("-o ", 0) == 0) {
      options.insert(options.end(), {"-o", setting.substr(3) + value});
    } else if (parameter->dataType == "boolean") {
      if (value == "1") options.push_back(setting);
    } else if (!setting.empty()) {
      options.insert(options.end(), {setting, value});
    }
  }
  return options;
}

namespace {

bool changedBetween(std::string_view family, const nlohmann::json& before, const nlohmann::json& after,
                    bool immediate) {
  auto old = effectiveCacheParameters(family, before);
  auto now = effectiveCacheParameters(family, after);
  for (size_t i = 0; i < old.size() && i < now.size(); ++i) {
    if (old[i].first->immediate == immediate && old[i].second != now[i].second) return true;
  }
  return false;
}

}  // namespace

bool rebootNeededBetween(std::string_view family, const nlohmann::json& before, const nlohmann::json& after) {
  return changedBetween(family, before, after, false);
}

bool immediateChangeBetween(std::string_view family, const nlohmann::json& before, const nlohmann::json& after) {
  return changedBetween(family, before, after, true);
}

}  // namespace kura::cache
