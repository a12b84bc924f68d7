#pragma once
// An engine's liveness over TLS, for a node that serves nothing else
// (ElastiCache Memcached with in-transit encryption): connect to
// 127.0.0.1:port, check the server's certificate against `caFile` and for
// 127.0.0.1, send a request, read the first bytes of the answer, all within
// a deadline, with no process spawned (probeTcp's rules, tcp_probe.h).
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace kura::engines {

// The answer's first `answerBytes` bytes; empty when the connection, the
// handshake or the certificate failed, or the deadline passed.
std::string probeTls(int port, const std::filesystem::path& caFile, std::string_view request, size_t answerBytes,
                     std::chrono::milliseconds timeout);

}  // namespace kura::engines
