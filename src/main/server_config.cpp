#include "main/server_config.h"

#include <boost/asio/ip/address.hpp>

namespace kura {

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace kura
