#include "main/metrics_endpoint.h"

#include <set>

#include "protocol/model_registry.h"

namespace kura {
namespace {

// Every operation of every model a module serves, under each name a call
// to it is counted by (its signing name, and the names it also serves).
metrics::ServedOperations servedOperations(const std::vector<ServiceModulePtr>& modules) {
  const ModelRegistry& models = ModelRegistry::embedded();
  std::map<std::string, std::set<std::string>> served;
  for (const auto& module : modules) {
    std::vector<std::string> names = module->alsoServes();
    names.push_back(module->signingName());
    for (const std::string& name : names) {
      const ServiceModel* model = models.bySigningName(name);
      if (model == nullptr) continue;
      for (const auto& [operation, unused] : model->operations()) {
        served[name].insert(operation);
        served[module->signingName()].insert(operation);
      }
    }
  }
  metrics::ServedOperations table;
  for (auto& [name, operations] : served) table.emplace_back(name, std::vector<std::string>(operations.begin(), operations.end()));
  return table;
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(ResourceMetricSources sources, const std::vector<ServiceModulePtr>& modules,
                                 bool open, const auth::CredentialStore& configured, ClockPtr clock)
    : requests_(servedOperations(modules)),
      access_(open, configured, std::move(clock)),
      collector_(std::move(sources), board_) {}

void MetricsEndpoint::observe(const ApiCallRecord& record) {
  requests_.noteCall(record.context->service, record.context->operation,
                     record.error != nullptr ? std::string_view(record.error->code) : std::string_view());
}

std::optional<HttpResponse> MetricsEndpoint::serve(const HttpRequest& request) const {
  if (request.path() != kMetricsPath) return std::nullopt;
  if (auto refused = access_.refusal(request)) return refused;
  HttpResponse response;
  if (request.method != "GET" && request.method != "HEAD") {
    response.status = 405;
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  metrics::MetricText text;
  requests_.render(text);
  board_.render(text);
  response.headers.emplace_back("Content-Type", metrics::kContentType);
  response.body = text.take();
  return response;
}

}  // namespace kura
