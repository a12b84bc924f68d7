#pragma once
// A call's answer goes out only once the syncs it left in its DeferredSyncs
// scope (its WAL, its trail record) have ended. On a thread that may wait
// (the HTTP server's pool) the answer is returned once they have; on one
// that must not (a connection's event loop: HttpRequest::mayAnswerLater),
// a response that answers later is returned at once, and the answer is
// handed to the connection by the thread that ends the last sync. Either
// way the answer's bytes are the same, encoded before the wait.
#include <functional>
#include <string>

#include "common/deferred_syncs.h"
#include "http/http_message.h"

namespace kura {

// `answer` once the syncs left in `deferred` end; if one failed and
// `failed` is set, what `failed` makes of the error instead.
HttpResponse answerOnceSynced(const HttpRequest& request, DeferredSyncs& deferred, HttpResponse answer,
                              std::function<HttpResponse(const std::string& error)> failed = {});

}  // namespace kura
