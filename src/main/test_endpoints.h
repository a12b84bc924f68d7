#pragma once
// Test-only HTTP endpoints, present when `kura serve --enable-test-controllers`:
//   POST /_kura/test/sleeper?name=N&dir=D&stepMillis=M  records a test-sleeper
//   GET  /_kura/test/resource?kind=K&name=N             its status and goal
// Kura's crash tests use them to kill the server mid-operation.
#include <optional>

#include "catalog/catalog.h"
#include "http/http_message.h"
#include "reconcile/reconciler.h"

namespace kura {

std::optional<HttpResponse> handleTestEndpoint(const HttpRequest& request, Catalog& catalog, Reconciler& reconciler);

}  // namespace kura
