#include "check/kms_key_lookup.h"

namespace kura::check {

std::variant<nlohmann::json, client::CallError> describeKey(CheckContext& context, const std::string& keyId) {
  const auto& answer = context.read("kms", "DescribeKey", {{"KeyId", keyId}});
  if (const auto* error = client::errorOf(answer)) return *error;
  const nlohmann::json& output = *client::outputOf(answer);
  auto metadata = output.find("KeyMetadata");
  if (metadata == output.end() || !metadata->is_object()) {
    return client::CallError{client::CallErrorKind::Malformed, 200, {}, "DescribeKey answered without KeyMetadata"};
  }
  return *metadata;
}

}  // namespace kura::check
