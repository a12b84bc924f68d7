#pragma once
// The commands and ACL categories of the Redis that Kura runs, as data: an
// access string naming anything else is refused before it reaches a
// server, where an unknown name would stop a node from starting.
#include <string_view>

namespace kura::engines {

// A command ("get") or a command's subcommand ("client|kill"), lower-case.
bool isRedisCommand(std::string_view name);
// An ACL category without its @ ("read").
bool isRedisCategory(std::string_view name);

}  // namespace kura::engines
