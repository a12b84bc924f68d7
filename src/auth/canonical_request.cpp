// The canonical request of Signature Version 4, built exactly as AWS's test
// suite and botocore build it.
#include <algorithm>
#include <cctype>

#include "auth/ascii_case.h"
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

// Appends `value` trimmed, its runs of white space (including folded
// lines) collapsed to one space.
void appendNormalizedHeaderValue(std::string& out, std::string_view value) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!value.empty() && blank(value.front())) value.remove_prefix(1);
  while (!value.empty() && blank(value.back())) value.remove_suffix(1);
  // Most values need nothing collapsed: appended whole.
  bool plain = true;
  for (size_t i = 0; i < value.size() && plain; ++i) {
    plain = value[i] == ' ' ? value[i + 1] != ' ' : !blank(value[i]);
  }
  if (plain) {
    out += value;
    return;
  }
  bool wrote = false, space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = wrote;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    wrote = true;
  }
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
  if (rawPath.empty() || rawPath == "/") return "/";
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

std::string literalCanonicalUri(std::string_view rawPath) { return rawPath.empty() ? "/" : uriEncode(rawPath, true); }

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

void appendCanonicalHeaders(std::string& out, const std::vector<std::pair<std::string, std::string>>& headers,
                            const std::vector<std::string>& signedHeaders) {
  for (const std::string& name : signedHeaders) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& [key, value] : headers) {
      if (!lowersTo(key, name)) continue;
      if (!first) out += ',';
      appendNormalizedHeaderValue(out, value);
      first = false;
    }
    out += '\n';
  }
}

}  // namespace

std::string canonicalHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::vector<std::string>& signedHeaders) {
  std::string out;
  appendCanonicalHeaders(out, headers, signedHeaders);
  return out;
}

std::string canonicalRequest(std::string_view method, std::string_view target,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::vector<std::string>& signedHeaders, std::string_view payloadHash,
                             bool presigned, bool skipSecurityToken, bool normalizePath) {
  size_t mark = target.find('?');
  std::string_view path = target.substr(0, mark);
  std::string_view query = mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1);
  std::string out;
  out.reserve(512);
  out += method;
  out += '\n';
  out += normalizePath ? canonicalUri(path) : literalCanonicalUri(path);
  out += '\n';
  if (!query.empty()) out += canonicalQuery(query, presigned, skipSecurityToken);
  out += '\n';
  appendCanonicalHeaders(out, headers, signedHeaders);
  out += '\n';
  for (size_t i = 0; i < signedHeaders.size(); ++i) {
    if (i > 0) out += ';';
    out += signedHeaders[i];
  }
  out += '\n';
  out += payloadHash;
  return out;
}

std::string stringToSign(std::string_view amzDate, const SigV4Scope& scope, std::string_view canonicalRequestText) {
  std::string out;
  out.reserve(160);
  out += "AWS4-HMAC-SHA256\n";
  out += amzDate;
  out += '\n';
  out += scope.date;
  out += '/';
  out += scope.region;
  out += '/';
  out += scope.service;
  out += "/aws4_request\n";
  out += sha256Hex(canonicalRequestText);
  return out;
}

namespace {

// The key changes once a day per credential and scope: each thread
// remembers the last one it derived (four HMACs saved on every request).
const std::string& cachedSigningKey(std::string_view secret, std::string_view date, std::string_view region,
                                    std::string_view service) {
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
  cached = {std::string(secret), std::string(date), std::string(region), std::string(service), std::move(key)};
  return cached.key;
}

}  // namespace

std::string signingKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  return cachedSigningKey(secret, date, region, service);
}

std::string signature(std::string_view secret, std::string_view amzDate, const SigV4Scope& scope,
                      std::string_view canonicalRequestText) {
  const std::string& key = cachedSigningKey(secret, scope.date, scope.region, scope.service);
  return toHex(hmacSha256(key, stringToSign(amzDate, scope, canonicalRequestText)));
}

}  // namespace kura::auth
