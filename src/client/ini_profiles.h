#pragma once
// The AWS shared files' INI dialect (~/.aws/credentials, ~/.aws/config):
// [section] headers, key = value lines, # and ; comments.
#include <map>
#include <string>
#include <string_view>

namespace kura::client {

using IniSection = std::map<std::string, std::string, std::less<>>;
using IniFile = std::map<std::string, IniSection, std::less<>>;

IniFile parseIni(std::string_view text);
// Reads and parses a file; empty when it does not exist or cannot be read.
IniFile readIniFile(const std::string& path);

}  // namespace kura::client
