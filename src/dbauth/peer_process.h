#pragma once
// Who is behind a loopback connection to the LDAP responder, read from
// Linux's /proc: the process owning its peer socket (a PostgreSQL backend
// asking about a login) and the client connection that process serves:
// the address a rds-db:connect condition on aws:SourceIp is about. Read
// only for a token whose signature holds.
#include <optional>
#include <string>

namespace kura::dbauth {

struct RemoteEnd {
  std::string address;  // "203.0.113.7", "2001:db8::1"
  unsigned short port = 0;
};

// The remote end of the one other established TCP connection of the
// process owning 127.0.0.1:`peerPort` connected to 127.0.0.1:`ldapPort`;
// nullopt when it cannot be told (none, or several).
std::optional<RemoteEnd> clientOfPeerProcess(unsigned short peerPort, unsigned short ldapPort);

}  // namespace kura::dbauth
