#include "client/call_error.h"

#include <array>
#include <string_view>

namespace kura::client {

std::string CallError::describe() const {
  switch (kind) {
    case CallErrorKind::Transport:
      return "no answer: " + message;
    case CallErrorKind::Service:
      return code + " (HTTP " + std::to_string(httpStatus) + ")" + (message.empty() ? "" : ": " + message);
    case CallErrorKind::Malformed:
      return "unreadable answer: " + message;
    case CallErrorKind::Usage:
      return message;
  }
  return message;
}

bool CallError::notImplemented() const {
  static constexpr std::array<std::string_view, 6> kCodes = {"InvalidAction",           "UnknownOperationException",
                                                             "UnknownOperation",        "NotImplemented",
                                                             "NotImplementedException", "UnsupportedOperation"};
  if (kind != CallErrorKind::Service) return false;
  for (std::string_view known : kCodes) {
    if (code == known) return true;
  }
  return code.empty() && (httpStatus == 404 || httpStatus == 501);
}

bool CallError::accessDenied() const {
  return kind == CallErrorKind::Service &&
         (code == "AccessDenied" || code == "AccessDeniedException" || code == "UnauthorizedOperation");
}

}  // namespace kura::client
