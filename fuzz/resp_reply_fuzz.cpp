// RESP replies as a Redis node (or whatever listens on its port) may send
// them to Kura's probes (engines/resp_reply.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engines/resp_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view answer(reinterpret_cast<const char*>(data), size);
  auto replies = kura::engines::respReplies(answer, 8);
  if (replies.size() > 8) __builtin_trap();
  for (const auto& reply : replies) {
    // Every reply's text lies inside the answer.
    if (!reply.text.empty() && (reply.text.data() < answer.data() ||
                                reply.text.data() + reply.text.size() > answer.data() + answer.size())) {
      __builtin_trap();
    }
  }
  return 0;
}
