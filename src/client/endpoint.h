#pragma once
// Where a service is reached: an --endpoint-url for every service (Kura,
// moto), or AWS's regional endpoint of each.
#include <optional>
#include <string>
#include <string_view>

namespace kura::client {

struct Endpoint {
  bool tls = true;
  std::string host;        // name or address, without brackets
  std::string port;        // always set: 443 or 80 by default
  std::string path = "/";  // base path of the endpoint, ending in '/'

  // The Host header: the port only where it is not the scheme's default.
  std::string hostHeader() const;
  std::string url() const;
};

// http://host[:port][/path] or https://...; empty on anything else.
std::optional<Endpoint> parseEndpointUrl(std::string_view url);
// AWS's endpoint of a service in a region, e.g. https://rds.eu-west-1.amazonaws.com
// (https://monitoring.cn-north-1.amazonaws.com.cn in China).
Endpoint awsRegionalEndpoint(std::string_view endpointPrefix, std::string_view region);

}  // namespace kura::client
