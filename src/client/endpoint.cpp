#include "client/endpoint.h"

#include <cctype>

namespace kura::client {

std::string Endpoint::hostHeader() const {
  bool bracket = host.find(':') != std::string::npos;  // an IPv6 address
  std::string name = bracket ? "[" + host + "]" : host;
  if ((tls && port == "443") || (!tls && port == "80")) return name;
  return name + ":" + port;
}

std::string Endpoint::url() const { return (tls ? "https://" : "http://") + hostHeader() + path; }

std::optional<Endpoint> parseEndpointUrl(std::string_view url) {
  Endpoint endpoint;
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    endpoint.tls = false;
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (path.find_first_of("?#") != std::string_view::npos) return std::nullopt;
  std::string_view portText;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    endpoint.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      portText = rest.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) portText = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) return std::nullopt;
  if (!portText.empty()) {
    if (portText.size() > 5) return std::nullopt;
    for (char c : portText) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    }
    if (std::stoi(std::string(portText)) > 65535) return std::nullopt;
    endpoint.port = std::string(portText);
  } else {
    endpoint.port = endpoint.tls ? "443" : "80";
  }
  endpoint.path = std::string(path);
  if (endpoint.path.back() != '/') endpoint.path += '/';
  return endpoint;
}

Endpoint awsRegionalEndpoint(std::string_view endpointPrefix, std::string_view region) {
  Endpoint endpoint;
  endpoint.port = "443";
  endpoint.host = std::string(endpointPrefix) + "." + std::string(region) + ".amazonaws.com";
  if (region.starts_with("cn-")) endpoint.host += ".cn";
  return endpoint;
}

}  // namespace kura::client
