// Fuzzes Smithy RPC v2 CBOR's request side: the nesting scan and decoding,
// the turn into the handlers' values (CloudWatch's query values, DynamoDB's
// JSON ones), validation, the trail's record of the call, and the encoder
// answering with what was decoded (fuzz/write_seeds.py seeds the corpus
// with arrays and tags nested at and past kMaxJsonDepth).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/cbor_codec.h"
#include "protocol/input_validator.h"
#include "protocol/model_registry.h"
#include "protocol/wire_values.h"
#include "trail/trail_event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = decodeCborInput(body);
  if (!decoded) return 0;
  static const ModelRegistry& models = ModelRegistry::embedded();
  static const ServiceModel* cloudwatch = models.bySigningName("monitoring");
  static const ServiceModel* dynamodb = models.bySigningName("dynamodb");
  static const Operation* operations[] = {
      cloudwatch->findOperation("PutMetricData"),
      cloudwatch->findOperation("PutMetricAlarm"),
      dynamodb->findOperation("PutItem"),
      dynamodb->findOperation("Query"),
  };
  for (const Operation* op : operations) {
    const ServiceModel& model = op == operations[0] || op == operations[1] ? *cloudwatch : *dynamodb;
    auto native = wireToNative(op->input, *decoded, WireProtocol::Cbor, model.protocol());
    if (!native) continue;
    auto violations = validateInput(op->input, *native);
    if (!violations.empty()) validationError(violations, model.protocol());
    (void)encodeCborOutput(op->input, *native);
    (void)nativeToJson(op->input, *native);
    RequestContext context;
    context.service = model.signingName();
    context.operation = op->name;
    std::string event;
    appendTrailEventText(event, context, &*native, nullptr, nullptr, "e");
  }
  return 0;
}
