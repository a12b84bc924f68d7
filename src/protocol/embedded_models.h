#pragma once
#include <string_view>
#include <vector>

namespace kura {

// A botocore service model compiled into the binary (tools/gen_models.py).
struct EmbeddedModel {
  std::string_view signingName;
  std::string_view json;
};

const std::vector<EmbeddedModel>& embeddedModels();

}  // namespace kura
