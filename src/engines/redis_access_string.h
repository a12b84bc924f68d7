#pragma once
// ElastiCache's access strings ("on ~app:* -@all +@read") as the Redis ACL
// rules of a client user, checked token by token as ElastiCache does: no
// passwords (`>`, `#`, `nopass`, ...), no `reset`, no selectors, only the
// commands and categories Redis knows, none of the restricted commands
// (redis_acl.h) named. A user is off unless its string says `on`. Channels
// are all allowed unless the string names some (ElastiCache's
// acl-pubsub-default is allchannels).
#include <string>
#include <string_view>

#include "common/api_error.h"

namespace kura::engines {

// The rules, or InvalidParameterValue saying which token is refused.
Result<std::string> redisAccessRules(std::string_view accessString);

}  // namespace kura::engines
