#include "protocol/model_registry.h"

#include "protocol/embedded_models.h"

namespace kura {

const ModelRegistry& ModelRegistry::embedded() {
  static const ModelRegistry registry = [] {
    ModelRegistry r;
    for (const EmbeddedModel& embedded : embeddedModels()) {
      auto model = ServiceModel::parse(embedded.signingName, embedded.json);
      const ServiceModel* raw = model.get();
      if (!raw->targetPrefix().empty()) r.byTarget_[raw->targetPrefix()] = raw;
      if (raw->protocol() != Protocol::Json) r.byVersion_[raw->apiVersion()] = raw;
      r.models_[std::string(embedded.signingName)] = std::move(model);
    }
    return r;
  }();
  return registry;
}

const ServiceModel* ModelRegistry::bySigningName(std::string_view name) const {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : it->second.get();
}

const ServiceModel* ModelRegistry::byTargetPrefix(std::string_view prefix) const {
  auto it = byTarget_.find(prefix);
  return it == byTarget_.end() ? nullptr : it->second;
}

const ServiceModel* ModelRegistry::byApiVersion(std::string_view version) const {
  auto it = byVersion_.find(version);
  return it == byVersion_.end() ? nullptr : it->second;
}

}  // namespace kura
