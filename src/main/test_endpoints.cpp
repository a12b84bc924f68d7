#include "main/test_endpoints.h"

#include <nlohmann/json.hpp>

#include <map>

#include "catalog/arn.h"
#include "protocol/form_decoding.h"

namespace kura {
namespace {

HttpResponse jsonResponse(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = body.dump();
  return response;
}

}  // namespace

std::optional<HttpResponse> handleTestEndpoint(const HttpRequest& request, Catalog& catalog, Reconciler& reconciler) {
  std::string_view path = request.path();
  if (path.rfind("/_kura/test/", 0) != 0) return std::nullopt;
  auto fields = parseForm(request.query());
  if (!fields) return jsonResponse(400, {{"error", "malformed query"}});
  std::map<std::string, std::string> args(fields->begin(), fields->end());
  if (path == "/_kura/test/sleeper" && request.method == "POST") {
    Resource sleeper;
    sleeper.accountId = "000000000000";
    sleeper.region = "us-east-1";
    sleeper.service = "kura";
    sleeper.kind = "test-sleeper";
    sleeper.name = args["name"];
    sleeper.arn = makeArn("kura", "us-east-1", "000000000000", "test-sleeper:" + args["name"]);
    sleeper.status = "creating";
    sleeper.goal = "available";
    sleeper.spec = {{"dir", args["dir"]}, {"stepMillis", std::stoll(args.count("stepMillis") ? args["stepMillis"] : "100")}};
    auto created = catalog.createResource(sleeper);
    if (!created) return jsonResponse(409, {{"error", created.error().message}});
    reconciler.wake();
    return jsonResponse(200, {{"status", created->status}});
  }
  if (path == "/_kura/test/resource" && request.method == "GET") {
    auto found = catalog.getResource("000000000000", "us-east-1", args["kind"], args["name"]);
    if (!found) return jsonResponse(404, {{"error", "not found"}});
    return jsonResponse(200, {{"status", found->status}, {"goal", found->goal}});
  }
  return jsonResponse(404, {{"error", "no such test endpoint"}});
}

}  // namespace kura
