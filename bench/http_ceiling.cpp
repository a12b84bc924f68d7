// The ceiling for the no-op benchmark: Kura's own HTTP layer with a handler
// that answers 200 at once, no auth, no protocol, no service.
#include <signal.h>

#include <cstdlib>
#include <iostream>

#include "http/http_server.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: kura_http_ceiling PORT [THREADS]\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  kura::HttpServerOptions options;
  options.port = static_cast<unsigned short>(std::atoi(argv[1]));
  options.threads = argc > 2 ? std::atoi(argv[2]) : 0;
  kura::HttpServer server(options, [](const kura::HttpRequest&) {
    kura::HttpResponse response;
    response.headers.emplace_back("Content-Type", "text/xml");
    response.body = "ok";
    return response;
  });
  server.start();
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}
