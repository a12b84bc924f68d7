#include "trail/trail_reader.h"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "trail/trail_format.h"

namespace kura {

void readTrailNewestFirst(const std::filesystem::path& trailDir, std::optional<uint64_t> before,
                          const std::function<bool(uint64_t, const nlohmann::json&)>& visit) {
  auto files = trail::listTrailFiles(trailDir / "logs", ".log");
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    if (before && it->first >= *before) continue;
    std::string text = trail::readTrailFile(it->second);
    std::vector<std::string_view> lines;
    std::string_view rest(text);
    while (!rest.empty()) {
      size_t newline = rest.find('\n');
      if (newline == std::string_view::npos) break;  // a record being written
      lines.push_back(rest.substr(0, newline));
      rest.remove_prefix(newline + 1);
    }
    for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
      auto record = trail::parseRecord(*line);
      if (!record || (before && record->sequence >= *before)) continue;
      nlohmann::json event = nlohmann::json::parse(record->event, nullptr, false);
      if (event.is_discarded()) continue;
      if (!visit(record->sequence, event)) return;
    }
  }
}

}  // namespace kura
