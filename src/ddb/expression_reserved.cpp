#include "ddb/expression_reserved.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace kura::ddb {
namespace {

constexpr std::array kReservedWords = {
#include "ddb/reserved_words.inc"
};

}  // namespace

bool isReservedWord(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // The list is sorted, as the file keeps it.
  return std::binary_search(kReservedWords.begin(), kReservedWords.end(), std::string_view(upper),
                            [](std::string_view a, std::string_view b) { return a < b; });
}

}  // namespace kura::ddb
