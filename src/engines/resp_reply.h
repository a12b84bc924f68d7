#pragma once
// Kura's own side of RESP2, Redis's protocol, for the few exchanges it has
// with a node on every pass (AUTH, PING, INFO, QUIT) without spawning
// redis-cli: a command encoded, and the replies read back one after the
// other. hiredis is not used: Debian 12's (0.14) has no TLS, which a node
// with in-transit encryption serves alone.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kura::engines {

// `args` as a RESP array of bulk strings (any bytes, a password among them).
std::string respCommand(const std::vector<std::string>& args);

// One reply: a simple string (+), an error (-), an integer (:) or a bulk
// string ($; a null one has no text). Arrays are not read: no command Kura
// sends this way answers one.
struct RespReply {
  char type = 0;
  std::string_view text;  // the line after the type, or the bulk string's bytes
  bool null = false;      // $-1
};

// The replies `answer` starts with, in order, as many as it holds whole
// (a reply cut short, or not one of the kinds above, ends the list).
std::vector<RespReply> respReplies(std::string_view answer, size_t most);

}  // namespace kura::engines
