#include "client/ini_profiles.h"

#include <fstream>
#include <sstream>

namespace kura::client {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

IniFile parseIni(std::string_view text) {
  IniFile file;
  IniSection* section = nullptr;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = &file[std::string(trim(line.substr(1, line.size() - 2)))];
      continue;
    }
    size_t equals = line.find('=');
    // Keys outside a section, lines without '=' and nested (indented)
    // sub-settings such as s3's are not credentials: skipped.
    if (section == nullptr || equals == std::string_view::npos) continue;
    (*section)[std::string(trim(line.substr(0, equals)))] = std::string(trim(line.substr(equals + 1)));
  }
  return file;
}

IniFile readIniFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parseIni(buffer.str());
}

}  // namespace kura::client
