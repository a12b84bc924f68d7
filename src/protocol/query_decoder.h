#pragma once
// The query protocol's request side: flat form fields such as
//   Filters.Filter.1.Values.Value.1=postgres
// become the value tree of the operation's input shape, member names as the
// model has them, scalars typed (numbers, booleans) as the model says.
#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "protocol/form_decoding.h"
#include "protocol/service_model.h"

namespace kura {

Result<nlohmann::json> decodeQueryInput(const Shape* input, const FormFields& fields);
// EC2's dialect: every list flattened and members named by queryName, else
// by locationName with an upper-case first letter:
//   Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-0abc
//   IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8 (IpRanges' locationName is ipRanges)
Result<nlohmann::json> decodeEc2Input(const Shape* input, const FormFields& fields);

}  // namespace kura
