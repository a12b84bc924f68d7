#include "api/synced_answer.h"

#include <memory>
#include <utility>

namespace kura {

HttpResponse answerOnceSynced(const HttpRequest& request, DeferredSyncs& deferred, HttpResponse answer,
                              std::function<HttpResponse(const std::string& error)> failed) {
  if (!request.mayAnswerLater || !deferred.waiting()) {
    std::string error = deferred.waitAll();
    if (!error.empty() && failed) return failed(error);
    return answer;
  }
  // Handed over whole: the waits, the encoded answer and what a failure
  // answers, to the callback the last sync runs.
  struct Owed {
    std::vector<PendingSync> waits;
    std::string errorSoFar;
    HttpResponse answer;
    std::function<HttpResponse(const std::string&)> failed;
  };
  auto owed = std::make_shared<Owed>(Owed{deferred.release(), deferred.firstError(), std::move(answer), std::move(failed)});
  HttpResponse later;
  later.answerLater = [owed](HttpResponse::Send send) {
    DeferredSyncs::whenAll(std::move(owed->waits), std::move(owed->errorSoFar),
                           [owed, send = std::move(send)](const std::string& error) {
                             if (!error.empty() && owed->failed) return send(owed->failed(error));
                             send(std::move(owed->answer));
                           });
  };
  return later;
}

}  // namespace kura
