// The canonical request of Signature Version 4, built exactly as AWS's test
// suite and botocore build it.
#include <algorithm>
#include <cctype>

#include "auth/sigv4_verifier.h"
#include "common/crypto.h"

namespace kura::auth {
namespace {

bool isUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded; anything malformed kept as it is ('+' stays '+').
std::string percentDecodeLenient(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
        hexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Trims and collapses runs of white space (including folded lines) to one space.
std::string normalizeHeaderValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string uriEncode(std::string_view text, bool keepSlash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (isUnreserved(c) || (keepSlash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

std::string canonicalUri(std::string_view rawPath) {
  if (rawPath.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= rawPath.size()) {
    size_t slash = rawPath.find('/', start);
    if (slash == std::string_view::npos) slash = rawPath.size();
    std::string_view segment = rawPath.substr(start, slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = slash + 1;
  }
  std::string path;
  for (std::string_view segment : segments) {
    path += '/';
    path += segment;
  }
  bool trailing = rawPath.back() == '/' || rawPath.ends_with("/.") || rawPath.ends_with("/..");
  if (path.empty()) return "/";
  if (trailing) path += '/';
  return uriEncode(path, true);
}

std::string canonicalQuery(std::string_view rawQuery, bool skipSignature, bool skipSecurityToken) {
  std::vector<std::pair<std::string, std::string>> parameters;
  size_t start = 0;
  while (start < rawQuery.size()) {
    size_t amp = rawQuery.find('&', start);
    if (amp == std::string_view::npos) amp = rawQuery.size();
    std::string_view pair = rawQuery.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name = percentDecodeLenient(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percentDecodeLenient(pair.substr(eq + 1));
    if (skipSignature && name == "X-Amz-Signature") continue;
    if (skipSecurityToken && name == "X-Amz-Security-Token") continue;
    parameters.emplace_back(uriEncode(name, false), uriEncode(value, false));
  }
  std::sort(parameters.begin(), parameters.end());
  std::string out;
  for (const auto& [name, value] : parameters) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

namespace {

// `key` lowered (ASCII) is `name`, compared without a copy.
bool lowersTo(std::string_view key, std::string_view name) {
  if (key.size() != name.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i] >= 'A' && key[i] <= 'Z' ? static_cast<char>(key[i] + ('a' - 'A')) : key[i];
    if (c != name[i]) return false;
  }
  return true;
}

}  // namespace

std::string canonicalHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::vector<std::string>& signedHeaders) {
  std::string out;
  for (const std::string& name : signedHeaders) {
    std::string joined;
    bool first = true;
    for (const auto& [key, value] : headers) {
      if (!lowersTo(key, name)) continue;
      if (!first) joined += ',';
      joined += normalizeHeaderValue(value);
      first = false;
    }
    out += name;
    out += ':';
    out += joined;
    out += '\n';
  }
  return out;
}

std::string canonicalRequest(std::string_view method, std::string_view target,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::vector<std::string>& signedHeaders, std::string_view payloadHash,
                             bool presigned, bool skipSecurityToken) {
  size_t mark = target.find('?');
  std::string_view path = target.substr(0, mark);
  std::string_view query = mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1);
  std::string names;
  for (const std::string& name : signedHeaders) {
    if (!names.empty()) names += ';';
    names += name;
  }
  std::string out(method);
  out += '\n';
  out += canonicalUri(path);
  out += '\n';
  out += canonicalQuery(query, presigned, skipSecurityToken);
  out += '\n';
  out += canonicalHeaders(headers, signedHeaders);
  out += '\n';
  out += names;
  out += '\n';
  out += payloadHash;
  return out;
}

std::string stringToSign(std::string_view amzDate, const SigV4Scope& scope, std::string_view canonicalRequestText) {
  std::string out = "AWS4-HMAC-SHA256\n";
  out += amzDate;
  out += '\n';
  out += scope.date + "/" + scope.region + "/" + scope.service + "/aws4_request\n";
  out += sha256Hex(canonicalRequestText);
  return out;
}

std::string signingKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  // The key changes once a day per credential and scope: remember the last
  // one each thread derived (four HMACs saved on every request).
  struct CachedKey {
    std::string secret, date, region, service, key;
  };
  thread_local CachedKey cached;
  if (cached.secret == secret && cached.date == date && cached.region == region && cached.service == service) {
    return cached.key;
  }
  std::string key = hmacSha256("AWS4" + std::string(secret), date);
  key = hmacSha256(key, region);
  key = hmacSha256(key, service);
  key = hmacSha256(key, "aws4_request");
  cached = {std::string(secret), std::string(date), std::string(region), std::string(service), key};
  return key;
}

std::string signature(std::string_view secret, std::string_view amzDate, const SigV4Scope& scope,
                      std::string_view canonicalRequestText) {
  std::string key = signingKey(secret, scope.date, scope.region, scope.service);
  return toHex(hmacSha256(key, stringToSign(amzDate, scope, canonicalRequestText)));
}

}  // namespace kura::auth
