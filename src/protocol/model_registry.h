#pragma once
// Every service model Kura carries, found by signing name, by X-Amz-Target
// prefix (JSON services) or by API version (query services).
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/service_model.h"

namespace kura {

class ModelRegistry {
 public:
  // Parses the models compiled into the binary.
  static const ModelRegistry& embedded();

  const ServiceModel* bySigningName(std::string_view name) const;
  const ServiceModel* byTargetPrefix(std::string_view prefix) const;
  const ServiceModel* byApiVersion(std::string_view version) const;

 private:
  std::map<std::string, std::unique_ptr<ServiceModel>, std::less<>> models_;
  std::map<std::string, const ServiceModel*, std::less<>> byTarget_, byVersion_;
};

}  // namespace kura
