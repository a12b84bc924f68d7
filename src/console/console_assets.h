#pragma once
// The console's static files (src/console/assets), embedded at build time
// by tools/gen_console_assets.py.
#include <string_view>

namespace kura::console {

struct ConsoleAsset {
  std::string_view name;         // "index.html", "console.js"
  std::string_view contentType;  // with its charset
  std::string_view body;
};

// The file of that name, or null.
const ConsoleAsset* findConsoleAsset(std::string_view name);

}  // namespace kura::console
