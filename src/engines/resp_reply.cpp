#include "engines/resp_reply.h"

#include <charconv>

namespace kura::engines {

std::string respCommand(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& arg : args) {
    out += "$" + std::to_string(arg.size()) + "\r\n";
    out += arg;
    out += "\r\n";
  }
  return out;
}

std::vector<RespReply> respReplies(std::string_view answer, size_t most) {
  std::vector<RespReply> replies;
  size_t at = 0;
  while (replies.size() < most && at < answer.size()) {
    size_t lineEnd = answer.find("\r\n", at);
    if (lineEnd == std::string_view::npos) break;
    RespReply reply;
    reply.type = answer[at];
    std::string_view line = answer.substr(at + 1, lineEnd - at - 1);
    at = lineEnd + 2;
    if (reply.type == '+' || reply.type == '-' || reply.type == ':') {
      reply.text = line;
    } else if (reply.type == '$') {
      long long length = 0;
      auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), length);
      if (error != std::errc() || end != line.data() + line.size() || length < -1) break;
      if (length == -1) {
        reply.null = true;
      } else {
        auto size = static_cast<unsigned long long>(length);
        if (size > answer.size() - at || answer.size() - at - size < 2 || answer.substr(at + size, 2) != "\r\n") break;
        reply.text = answer.substr(at, size);
        at += size + 2;
      }
    } else {
      break;
    }
    replies.push_back(reply);
  }
  return replies;
}

}  // namespace kura::engines
