#include <gtest/gtest.h>

#include "protocol/cbor_codec.h"
#include "protocol/cbor_nesting.h"
#include "protocol/model_registry.h"
#include "protocol/wire_values.h"

namespace kura {
namespace {

using Json = nlohmann::json;

const ServiceModel& cloudwatch() { return *ModelRegistry::embedded().bySigningName("monitoring"); }

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

TEST(CborModel, CloudWatchSpeaksCborJsonAndQueryWithQueryHandlers) {
  EXPECT_EQ(cloudwatch().protocol(), Protocol::Query);
  EXPECT_TRUE(cloudwatch().speaks(WireProtocol::Cbor));
  EXPECT_TRUE(cloudwatch().speaks(WireProtocol::Json));
  EXPECT_TRUE(cloudwatch().queryCompatible());
  const ServiceModel& rds = *ModelRegistry::embedded().bySigningName("rds");
  EXPECT_FALSE(rds.speaks(WireProtocol::Cbor));
  EXPECT_EQ(ModelRegistry::embedded().byTargetPrefix("GraniteServiceVersion20100801"), &cloudwatch());
}

TEST(CborOperation, ComesFromThePath) {
  EXPECT_EQ(cborOperationName("/service/GraniteServiceVersion20100801/operation/ListMetrics"), "ListMetrics");
  EXPECT_EQ(cborOperationName("/prefix/service/S/operation/Op?x=1"), "Op");
  EXPECT_EQ(cborOperationName("/service//operation/Op"), "");
  EXPECT_EQ(cborOperationName("/"), "");
  EXPECT_EQ(cborOperationName("/service/S/operation/"), "");
}

TEST(CborNesting, AcceptsWellFormedItemsOnly) {
  EXPECT_TRUE(cborWellFormedWithin(bytes({0xa1, 0x61, 'a', 0x01})));               // {"a": 1}
  EXPECT_TRUE(cborWellFormedWithin(bytes({0xbf, 0x61, 'a', 0x9f, 0x01, 0xff, 0xff})));  // indefinite map, list
  EXPECT_TRUE(cborWellFormedWithin(bytes({0x7f, 0x61, 'a', 0x61, 'b', 0xff})));     // chunked text
  EXPECT_TRUE(cborWellFormedWithin(bytes({0xc1, 0x1a, 0x65, 0x00, 0x00, 0x00})));   // tag 1
  EXPECT_EQ(cborWithoutTags(bytes({0x81, 0xc1, 0x01})), bytes({0x81, 0x01}));
  EXPECT_FALSE(cborWellFormedWithin(bytes({0xa1, 0x61, 'a'})));                     // truncated
  EXPECT_FALSE(cborWellFormedWithin(bytes({0x01, 0x02})));                          // trailing bytes
  EXPECT_FALSE(cborWellFormedWithin(bytes({0x7f, 0x41, 'a', 0xff})));               // byte chunk in text
  EXPECT_FALSE(cborWellFormedWithin(bytes({0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})));
  EXPECT_FALSE(cborWellFormedWithin(bytes({0xff})));
}

TEST(CborNesting, RefusesDeepArraysAndTagChains) {
  std::string arrays(100000, static_cast<char>(0x81));
  arrays += static_cast<char>(0x00);
  EXPECT_FALSE(cborWellFormedWithin(arrays));
  EXPECT_FALSE(decodeCborInput(arrays).ok());
  std::string tags(100000, static_cast<char>(0xc1));
  tags += static_cast<char>(0x00);
  EXPECT_FALSE(cborWellFormedWithin(tags));
  std::string shallow(100, static_cast<char>(0x81));
  shallow += static_cast<char>(0x00);
  EXPECT_TRUE(cborWellFormedWithin(shallow));
}

TEST(CborDecode, TimestampsBecomeQueryTextAndBlobsBase64) {
  const Operation* put = cloudwatch().findOperation("PutMetricData");
  ASSERT_NE(put, nullptr);
  Json body = {{"Namespace", "App"},
               {"MetricData", Json::array({{{"MetricName", "Load"}, {"Value", 1.5}, {"Timestamp", 1700000000}}})}};
  std::vector<uint8_t> encoded = Json::to_cbor(body);
  auto decoded = decodeCborInput(std::string(encoded.begin(), encoded.end()));
  ASSERT_TRUE(decoded.ok());
  auto native = wireToNative(put->input, *decoded, WireProtocol::Cbor, cloudwatch().protocol());
  ASSERT_TRUE(native.ok());
  EXPECT_EQ((*native)["MetricData"][0]["Timestamp"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ((*native)["MetricData"][0]["Value"], 1.5);

  const ServiceModel& kms = *ModelRegistry::embedded().bySigningName("kms");
  Json blob = {{"KeyId", "k"}, {"Plaintext", Json::binary({'h', 'i'})}};
  encoded = Json::to_cbor(blob);
  decoded = decodeCborInput(std::string(encoded.begin(), encoded.end()));
  ASSERT_TRUE(decoded.ok());
  native = wireToNative(kms.findOperation("Encrypt")->input, *decoded, WireProtocol::Cbor, kms.protocol());
  ASSERT_TRUE(native.ok());
  EXPECT_EQ((*native)["Plaintext"], "aGk=");
  // A blob sent as text is not CBOR's blob.
  encoded = Json::to_cbor(Json{{"KeyId", "k"}, {"Plaintext", "aGk="}});
  decoded = decodeCborInput(std::string(encoded.begin(), encoded.end()));
  EXPECT_FALSE(wireToNative(kms.findOperation("Encrypt")->input, *decoded, WireProtocol::Cbor, kms.protocol()).ok());
}

TEST(CborDecode, RefusesWhatIsNotAMap) {
  EXPECT_TRUE(decodeCborInput("").ok());
  EXPECT_FALSE(decodeCborInput(bytes({0x01})).ok());
  EXPECT_FALSE(decodeCborInput(bytes({0xa1, 0x61})).ok());
  EXPECT_FALSE(decodeCborInput(bytes({0xa1, 0x61, 0xff, 0x01})).ok());  // invalid UTF-8 key
}

TEST(CborEncode, WritesTagOneTimestampsByteStringsAndModelMembersOnly) {
  const Operation* get = cloudwatch().findOperation("GetMetricStatistics");
  Json output = {{"Label", "Load"},
                 {"NotInModel", 1},
                 {"Datapoints", Json::array({{{"Timestamp", 1700000000.5}, {"Average", 2}, {"Unit", "None"}}})}};
  std::string encoded = encodeCborOutput(get->output, output);
  // Read back as a request would be (the tag's bytes are looked for below).
  auto decoded = decodeCborInput(encoded);
  ASSERT_TRUE(decoded.ok());
  Json back = *decoded;
  EXPECT_FALSE(back.contains("NotInModel"));
  EXPECT_EQ(back["Label"], "Load");
  EXPECT_DOUBLE_EQ(back["Datapoints"][0]["Average"].get<double>(), 2.0);
  EXPECT_TRUE(back["Datapoints"][0]["Average"].is_number_float());
  EXPECT_NE(encoded.find(bytes({0x69, 'T', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', static_cast<char>(0xc1),
                                static_cast<char>(0xfb)})),
            std::string::npos);
  Json iso = {{"Datapoints", Json::array({{{"Timestamp", "2023-11-14T22:13:20Z"}}})}};
  encoded = encodeCborOutput(get->output, iso);
  EXPECT_NE(encoded.find(bytes({static_cast<char>(0xc1), 0x1a, 0x65, 0x53, static_cast<char>(0xf1), static_cast<char>(0x00)})),
            std::string::npos);

  const ServiceModel& kms = *ModelRegistry::embedded().bySigningName("kms");
  encoded = encodeCborOutput(kms.findOperation("Decrypt")->output, Json{{"Plaintext", "aGk="}});
  back = Json::from_cbor(encoded);
  ASSERT_TRUE(back["Plaintext"].is_binary());
  EXPECT_EQ(back["Plaintext"].get_binary().size(), 2u);
}

TEST(CborEncode, ErrorsNameTheirShape) {
  ApiError error = ApiError::sender("InvalidParameterValue", "bad");
  Json back = Json::from_cbor(encodeCborError(&cloudwatch(), error));
  EXPECT_EQ(back["__type"], "InvalidParameterValueException");
  EXPECT_EQ(back["message"], "bad");
  back = Json::from_cbor(encodeCborError(nullptr, ApiError::sender("UnknownService", "no")));
  EXPECT_EQ(back["__type"], "UnknownService");
}

TEST(JsonWire, QueryOutputsBecomeJsonValues) {
  const Operation* describe = cloudwatch().findOperation("DescribeAlarms");
  Json output = {{"MetricAlarms", Json::array({{{"AlarmName", "a"},
                                                {"Threshold", "3.5"},
                                                {"StateUpdatedTimestamp", "2023-11-14T22:13:20Z"},
                                                {"ActionsEnabled", "true"}}})}};
  Json json = nativeToJson(describe->output, output);
  EXPECT_EQ(json["MetricAlarms"][0]["Threshold"], 3.5);
  EXPECT_EQ(json["MetricAlarms"][0]["StateUpdatedTimestamp"], 1700000000.0);
  EXPECT_EQ(json["MetricAlarms"][0]["ActionsEnabled"], true);
}

}  // namespace
}  // namespace kura
