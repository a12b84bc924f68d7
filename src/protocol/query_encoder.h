#pragma once
// The query protocol's response side: a handler's value tree becomes the XML
// document AWS writes, element names and list wrappers as the model says:
//   <DescribeDBInstancesResponse xmlns="...">
//     <DescribeDBInstancesResult><DBInstances><DBInstance>...</DBInstance>...
//     <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
#include <string>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "protocol/service_model.h"

namespace kura {

std::string encodeQueryResponse(const ServiceModel& model, const Operation& op, const nlohmann::json& output,
                                const std::string& requestId);
std::string encodeQueryError(const ApiError& error, const std::string& requestId);
// EC2's dialect: no Result wrapper, the request id first,
//   <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
//     <requestId>...</requestId><vpcSet><item>...</item></vpcSet>
// and errors as <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>.
std::string encodeEc2Response(const ServiceModel& model, const Operation& op, const nlohmann::json& output,
                              const std::string& requestId);
std::string encodeEc2Error(const ApiError& error, const std::string& requestId);
// Escapes text for an XML element or attribute.
void appendXmlEscaped(std::string& out, std::string_view text);

}  // namespace kura
