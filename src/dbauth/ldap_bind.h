#pragma once
// The part of LDAPv3 (RFC 4511) that a simple bind needs, and nothing
// more: a BindRequest with a simple password, an UnbindRequest, and the
// BindResponse. PostgreSQL's `ldap` method (simple-bind mode) and Kura's
// MariaDB plugin send their logins to Kura this way. Everything is read
// from untrusted bytes: lengths are bounded, nothing is trusted to fit.
#include <cstddef>
#include <string>
#include <string_view>

namespace kura::dbauth {

struct LdapMessage {
  enum class Kind { Bind, Unbind, Other };
  Kind kind = Kind::Other;
  long messageId = 0;
  // A bind's version (3), name (the DN) and simple password.
  long version = 0;
  std::string name;
  std::string password;
  bool simple = false;  // a simple password, not SASL
};

enum class LdapRead {
  Complete,   // `message` holds the first message; `consumed` its size
  NeedMore,   // the buffer ends before the first message does
  Invalid     // not a message, or larger than allowed
};

// Reads the first LDAPMessage of `buffer`, refusing one over `maxSize` bytes.
LdapRead readLdapMessage(std::string_view buffer, size_t maxSize, LdapMessage& message, size_t& consumed);

// LDAP result codes Kura answers with.
inline constexpr int kLdapSuccess = 0;
inline constexpr int kLdapProtocolError = 2;
inline constexpr int kLdapInvalidCredentials = 49;

// A BindResponse to `messageId` with `resultCode`, no matched DN and no
// diagnostic (a refusal says nothing of why: that goes to Kura's log).
std::string ldapBindResponse(long messageId, int resultCode);
// A BindRequest (version 3, simple): what the MariaDB plugin sends; the
// tests use it too.
std::string ldapBindRequest(long messageId, std::string_view name, std::string_view password);

}  // namespace kura::dbauth
