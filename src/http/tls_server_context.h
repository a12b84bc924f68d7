#pragma once
// The TLS side of Kura's API listener: a server context made from a
// certificate chain and its key (PEM). TLS 1.2 at least, forward-secret
// AEAD suites only, no renegotiation (a client could make the server do a
// handshake's work again and again on one connection), no compression.
//
// A context is never changed once made: a new certificate is a new
// context, swapped in whole (TlsContextSlot), so that a connection sees one
// certificate from its handshake to its end.
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

#include "common/api_error.h"

namespace kura {

using TlsContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// `chainPem`: the server's certificate first, then any intermediates.
// Fails when either does not parse or the key is not the certificate's.
Result<TlsContextPtr> makeTlsServerContext(const std::string& chainPem, const std::string& keyPem);

}  // namespace kura
