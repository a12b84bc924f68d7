#pragma once
// HTTP/1.1 (or HTTPS) with keep-alive on Boost.Beast/Asio: one listener, I/O threads
// each with its own event loop (connections are dealt to them in turn),
// and a handler called once per request on the connection's thread. A
// handler must not block long: it would hold up its loop's connections.
// Requests that may wait for the disk (`waitsForDisk`: a change, answered
// only once it is synced) are handled on a pool of threads instead, and
// answered back on their connection's loop: the loops go on serving reads
// meanwhile, and many changes wait for the same sync (group commit). A
// request handled on its loop may be answered later instead
// (HttpResponse::answerLater): a change that only waits for a sync is
// answered by the thread that ends it, and no thread waits meanwhile.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/http_message.h"

namespace kura {

class TlsContextSlot;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 4566;  // 0: any free port
  int threads = 0;             // 0: one per core
  size_t maxBodyBytes = 16 * 1024 * 1024;
  // Connections served at once (0: no limit). Past it, up to
  // `reserveConnections` more are each read for one request (within 2 s),
  // answered by the overload handler (health checks still answered, API
  // calls a 503) and closed; past both, a newcomer is closed as soon as it
  // is accepted. Every descriptor the server holds is bounded. Out of
  // descriptors all the same (EMFILE, ENFILE: something else took them),
  // the listener waits 100 ms before it tries again, logging once per 10 s.
  size_t maxConnections = 0;
  size_t reserveConnections = 16;
  // HTTPS with the slot's context of the moment (null: plain HTTP). Each
  // connection first does its handshake, within 10 s (2 s past the
  // limit); then everything above holds as for plain HTTP.
  std::shared_ptr<TlsContextSlot> tls;
  // Which requests go to the pool (none when unset), and its size: as many
  // changes as it has threads share a sync.
  std::function<bool(const HttpRequest&)> waitsForDisk;
  int diskThreads = 32;
  // How long stop() waits for the answers handlers still owe
  // (HttpResponse::answerLater). Past it, their connections are dropped
  // unanswered, the wait is logged, and what a late answer would touch (the
  // stopped loops) is left in memory for the rest of the process's life.
  std::chrono::milliseconds owedAnswersWait{10000};
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // `overloaded` answers the requests of connections past the limit (by
  // default a plain 503).
  HttpServer(HttpServerOptions options, HttpHandler handler, HttpHandler overloaded = {});
  ~HttpServer();
  // Binds and listens; throws std::runtime_error if it cannot.
  void start();
  unsigned short port() const;
  // Stops accepting, closes connections, joins the threads, and waits for
  // the answers still owed (up to options.owedAnswersWait).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool abandoned_ = false;  // stop() gave up waiting for an owed answer
};

}  // namespace kura
