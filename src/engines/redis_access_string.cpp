#include "engines/redis_access_string.h"

#include <algorithm>
#include <optional>
#include <cctype>
#include <sstream>
#include <vector>

#include "engines/redis_acl.h"
#include "engines/redis_commands.h"

namespace kura::engines {
namespace {

constexpr size_t kMaxLength = 8192;
constexpr size_t kMaxTokens = 512;

ApiError refused(const std::string& why) {
  return ApiError::sender("InvalidParameterValue", "Invalid access string: " + why + ".");
}

std::string lowerCase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return lower;
}

// What a pattern may hold: printable ASCII without quotes or backslashes,
// which redis.conf and redis-cli would read as quoting.
bool plainToken(std::string_view token) {
  return std::all_of(token.begin(), token.end(), [](char ch) {
    return ch > ' ' && ch < 127 && ch != '"' && ch != '\'' && ch != '\\';
  });
}

// Keys or channels, as Redis reads them: "everything" (`~*`, `allkeys`)
// replaces the patterns before it, and a pattern after it is an error.
struct PatternScope {
  const char* what;
  bool everything = false;
  std::optional<ApiError> add(const std::string& token, std::string_view pattern) {
    if (pattern == "*" && token.find('%') == std::string::npos) {
      everything = true;
      return std::nullopt;
    }
    if (everything) return refused("'" + token + "' follows all " + what + "s: it has no effect");
    return std::nullopt;
  }
};

}  // namespace

Result<std::string> redisAccessRules(std::string_view accessString) {
  if (accessString.size() > kMaxLength) return refused("it is longer than 8192 characters");
  std::vector<std::string> tokens;
  std::istringstream words{std::string(accessString)};
  for (std::string word; words >> word;) tokens.push_back(word);
  if (tokens.empty()) return refused("it is empty");
  if (tokens.size() > kMaxTokens) return refused("it has more than 512 rules");
  bool onOrOff = false;
  bool channelRules = false;
  PatternScope keys{"key"};
  PatternScope channels{"channel"};
  std::vector<std::string> rules;
  for (const std::string& token : tokens) {
    if (!plainToken(token)) return refused("'" + token + "' holds a quote, a backslash or a control character");
    std::string lower = lowerCase(token);
    if (lower == "on" || lower == "off") {
      onOrOff = true;
      rules.push_back(lower);
    } else if (lower == "allkeys" || lower == "resetkeys") {
      keys.everything = lower == "allkeys";
      rules.push_back(lower);
    } else if (token[0] == '~' || lower.rfind("%r~", 0) == 0 || lower.rfind("%w~", 0) == 0 ||
               lower.rfind("%rw~", 0) == 0) {
      std::string pattern = token.substr(token.find('~') + 1);
      if (pattern.empty()) return refused("'" + token + "' has no key pattern");
      if (auto error = keys.add(token, pattern)) return *error;
      rules.push_back(token);
    } else if (lower == "allchannels" || lower == "resetchannels") {
      channelRules = true;
      channels.everything = lower == "allchannels";
      rules.push_back(lower);
    } else if (token[0] == '&') {
      channelRules = true;
      if (token.size() == 1) return refused("'&' has no channel pattern");
      if (auto error = channels.add(token, token.substr(1))) return *error;
      rules.push_back(token);
    } else if (lower == "allcommands" || lower == "nocommands") {
      rules.push_back(lower);
    } else if ((token[0] == '+' || token[0] == '-') && token.size() > 2 && token[1] == '@') {
      if (!isRedisCategory(lower.substr(2))) return refused("'" + token + "' names no command category");
      rules.push_back(lower);
    } else if ((token[0] == '+' || token[0] == '-') && token.size() > 1) {
      std::string command = lower.substr(1);
      if (!isRedisCommand(command)) return refused("'" + token + "' names no command");
      if (token[0] == '+' && redisCommandRestricted(command)) {
        return refused("the command " + command + " is restricted and cannot be granted");
      }
      rules.push_back(lower);
    } else {
      // Passwords (>, <, #, !, nopass, resetpass), reset, selectors and the rest.
      return refused("'" + token + "' is not allowed in an access string");
    }
  }
  std::string joined = onOrOff ? "" : "off";
  // ElastiCache's acl-pubsub-default: every channel, unless the string says.
  if (!channelRules) joined += std::string(joined.empty() ? "" : " ") + "allchannels";
  for (const std::string& rule : rules) joined += (joined.empty() ? "" : " ") + rule;
  return joined;
}

}  // namespace kura::engines
