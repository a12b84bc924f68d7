#include "http/tls_server_context.h"

#include <openssl/ssl.h>

namespace kura {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2's suites: ECDHE (forward secrecy) with AES-GCM or ChaCha20,
// for ECDSA keys (what Kura's CA issues) and RSA keys (what a configured
// certificate often has). TLS 1.3's defaults are all of that kind already.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace

Result<TlsContextPtr> makeTlsServerContext(const std::string& chainPem, const std::string& keyPem) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return ApiError::internal("cannot set up TLS: the OpenSSL library refuses TLS 1.2's settings");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  // An idle keep-alive connection gives its read and write buffers back
  // (some 34 KiB each): thousands of them must not hold that much memory.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // OpenSSL's default asks the terminal for the passphrase of an encrypted
  // key, which would hang a server's start: none is given, it fails.
  context->set_password_callback([](size_t, ssl::context::password_purpose) { return std::string(); });
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(chainPem), ec);
  if (ec) return ApiError::sender("Config", "the TLS certificate chain does not parse as PEM: " + ec.message());
  context->use_private_key(boost::asio::buffer(keyPem), ssl::context::pem, ec);
  if (ec) return ApiError::sender("Config", "the TLS private key does not parse as PEM (or is encrypted): " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    return ApiError::sender("Config", "the TLS private key is not the certificate's key");
  }
  return context;
}

}  // namespace kura
