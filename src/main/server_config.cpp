#include "main/server_config.h"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <filesystem>

namespace kura {

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

int installedPostgresMajor() {
  int best = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos || name.empty()) continue;
    if (std::filesystem::exists(entry.path() / "bin" / "postgres")) best = std::max(best, std::stoi(name));
  }
  return best;
}

}  // namespace kura
