#pragma once
// Why a call through the client did not return an answer.
#include <string>

namespace kura::client {

enum class CallErrorKind {
  Transport,  // no HTTP answer: connection refused, TLS failure, timeout
  Service,    // an AWS error answer (code and message from the body)
  Malformed,  // an answer the model could not read
  Usage,      // the caller asked for an operation or service the models lack
};

struct CallError {
  CallErrorKind kind = CallErrorKind::Transport;
  int httpStatus = 0;
  std::string code;  // AWS error code for Service errors
  std::string message;

  std::string describe() const;
  // The endpoint does not implement the operation (or the service): AWS's
  // codes for an unknown action, or a 404/501 without a known code.
  bool notImplemented() const;
  // The caller's credentials may not make the call.
  bool accessDenied() const;
};

}  // namespace kura::client
