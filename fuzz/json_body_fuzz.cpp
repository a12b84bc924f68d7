// Fuzzes the JSON protocols' request side: body decoding, then validation
// against the input shapes of a few DynamoDB and KMS operations.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/input_validator.h"
#include "protocol/json_codec.h"
#include "protocol/model_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto input = decodeJsonInput(text);
  if (!input) return 0;
  static const ModelRegistry& models = ModelRegistry::embedded();
  static const Operation* operations[] = {
      models.bySigningName("dynamodb")->findOperation("PutItem"),
      models.bySigningName("dynamodb")->findOperation("Query"),
      models.bySigningName("dynamodb")->findOperation("CreateTable"),
      models.bySigningName("kms")->findOperation("Encrypt"),
  };
  for (const Operation* op : operations) {
    auto violations = validateInput(op->input, *input);
    if (!violations.empty()) validationError(violations, Protocol::Json);
  }
  return 0;
}
