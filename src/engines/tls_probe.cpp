#include "engines/tls_probe.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <memory>

#include "engines/tcp_probe.h"

namespace kura::engines {
namespace {

struct SslContextFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

}  // namespace

std::string probeTls(int port, const std::filesystem::path& caFile, std::string_view request, size_t answerBytes,
                     std::chrono::milliseconds timeout) {
  auto probe = LoopbackProbe::connect(port, timeout);
  if (!probe || !probe->waitFor(POLLOUT)) return "";
  std::unique_ptr<SSL_CTX, SslContextFree> context(SSL_CTX_new(TLS_client_method()));
  if (!context || SSL_CTX_load_verify_locations(context.get(), caFile.c_str(), nullptr) != 1) return "";
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(context.get()));
  if (!ssl || SSL_set_fd(ssl.get(), probe->fd()) != 1 ||
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), "127.0.0.1") != 1) {
    return "";
  }
  // One step of the TLS exchange, retried while the socket is not ready.
  auto step = [&](auto&& call) {
    while (true) {
      int result = call();
      if (result > 0) return result;
      int error = SSL_get_error(ssl.get(), result);
      if (error == SSL_ERROR_WANT_READ && probe->waitFor(POLLIN)) continue;
      if (error == SSL_ERROR_WANT_WRITE && probe->waitFor(POLLOUT)) continue;
      return 0;
    }
  };
  if (step([&] { return SSL_connect(ssl.get()); }) <= 0) return "";
  if (!request.empty() &&
      step([&] { return SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())); }) <= 0) {
    return "";
  }
  std::string answer(answerBytes, '\0');
  size_t got = 0;
  while (got < answerBytes) {
    int n = step([&] { return SSL_read(ssl.get(), answer.data() + got, static_cast<int>(answerBytes - got)); });
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  answer.resize(got);
  return answer;
}

}  // namespace kura::engines
