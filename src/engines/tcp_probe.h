#pragma once
// An engine's liveness, asked over TCP with no process spawned (a loaded
// host does not fake a failure): connect to 127.0.0.1:port, send a request,
// read the first bytes of the answer, all within a deadline.
#include <chrono>
#include <string>
#include <string_view>

namespace kura::engines {

// The answer's first `answerBytes` bytes (fewer when the server closed,
// stalled past `timeout` or refused the connection). A socket Kura could
// not open for lack of descriptors is noted (common/descriptor_shortage.h):
// Kura's shortage, not the engine's, which the supervisors judge unknown.
std::string probeTcp(int port, std::string_view request, size_t answerBytes, std::chrono::milliseconds timeout);

}  // namespace kura::engines
