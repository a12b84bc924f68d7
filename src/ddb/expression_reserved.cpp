#include "ddb/expression_reserved.h"

#include <algorithm>
#include <iterator>
#include <cctype>
#include <string>

namespace kura::ddb {
namespace {

// A plain array: deducing a std::array of 572 elements exceeds clang's
// limit on a fold expression's arguments (the fuzzing build uses clang).
constexpr const char* kReservedWords[] = {
#include "ddb/reserved_words.inc"
};

}  // namespace

bool isReservedWord(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // The list is sorted, as the file keeps it.
  return std::binary_search(std::begin(kReservedWords), std::end(kReservedWords), std::string_view(upper),
                            [](std::string_view a, std::string_view b) { return a < b; });
}

}  // namespace kura::ddb
