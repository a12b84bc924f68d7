// Fuzzes the JSON protocols' request side: body decoding, then validation
// against the input shapes of a few DynamoDB and KMS operations, DynamoDB's
// attribute value checks, and the trail's record of the call (the walkers a
// deep body overflowed before bodies were bounded: fuzz/write_seeds.py
// seeds the corpus with bodies nested past kMaxJsonDepth).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ddb/attribute_value.h"
#include "protocol/input_validator.h"
#include "protocol/json_codec.h"
#include "protocol/model_registry.h"
#include "trail/trail_event.h"

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
  if (auto item = input->find("Item"); item != input->end() && item->is_object()) {
    nlohmann::json copy = *item;
    for (auto& [name, value] : copy.items()) ddb::validateValue(value, "Item");
  }
  RequestContext context;
  context.service = "rds";
  context.operation = "CreateDBInstance";
  std::string event;
  appendTrailEventText(event, context, &*input, &*input, nullptr, "e");
  context.service = "dynamodb";
  context.operation = "PutItem";
  appendTrailEventText(event, context, &*input, &*input, nullptr, "e");
  return 0;
}
