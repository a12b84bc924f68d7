#include "catalog/arn.h"

#include <array>

namespace kura {

std::string makeArn(std::string_view service, std::string_view region, std::string_view account,
                    std::string_view resourcePart) {
  std::string arn = "arn:aws:";
  arn.append(service).append(":").append(region).append(":").append(account).append(":").append(resourcePart);
  return arn;
}

std::optional<Arn> parseArn(std::string_view text) {
  std::array<std::string_view, 5> heads;
  for (auto& head : heads) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    head = text.substr(0, colon);
    text.remove_prefix(colon + 1);
  }
  if (heads[0] != "arn" || heads[1].empty() || heads[2].empty() || text.empty()) return std::nullopt;
  return Arn{std::string(heads[1]), std::string(heads[2]), std::string(heads[3]), std::string(heads[4]),
             std::string(text)};
}

}  // namespace kura
