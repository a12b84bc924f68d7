#include "common/json_fast_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace kura {
namespace {

using Json = nlohmann::json;

// The same value nlohmann makes, of the same types.
void expectSame(const Json& fast, const Json& slow) {
  ASSERT_EQ(fast.type(), slow.type()) << fast.dump() << " / " << slow.dump();
  if (fast.is_object()) {
    ASSERT_EQ(fast.size(), slow.size());
    for (auto it = slow.begin(); it != slow.end(); ++it) expectSame(fast.at(it.key()), it.value());
  } else if (fast.is_array()) {
    ASSERT_EQ(fast.size(), slow.size());
    for (size_t i = 0; i < fast.size(); ++i) expectSame(fast[i], slow[i]);
  } else {
    EXPECT_EQ(fast, slow);
    EXPECT_EQ(fast.dump(), slow.dump());
  }
}

TEST(JsonFastParse, GivesNlohmannsValue) {
  const std::string bodies[] = {
      R"({"TableName":"orders","Key":{"customer":{"S":"alice"},"id":{"N":"7"}}})",
      R"({"TableName":"t","Item":{"k":{"S":")" + std::string(1000, 'x') + R"("},"b":{"BOOL":false},"z":{"NULL":true},
          "l":{"L":[{"N":"1"},{"SS":["a","b"]}]},"m":{"M":{}}},"ReturnValues":"ALL_OLD"})",
      R"({"Limit":25,"Segment":0,"Neg":-3,"Big":18446744073709551615,"Min":-9223372036854775808,"F":1.5,
          "E":1e2,"Tiny":-1E-300,"Esc":"a\"b\\c\n\t\/","Same":1,"Same":2,"Utf":"日本語 ✓ 😀","Deep":[[[[{}]]]]})",
      " \t\r\n{ } ",
      "{\"negzero\":-0.0,\"date\":\"2026-01-01\",\"key\":\"item-0\"}",
  };
  for (const std::string& body : bodies) {
    auto fast = fastParseJson(body);
    ASSERT_TRUE(fast) << body;
    expectSame(*fast, Json::parse(body));
  }
}

TEST(JsonFastParse, LeavesToNlohmannWhatTheyMightJudgeApart) {
  for (std::string body : {
           std::string(R"({"s":"\u00e9"})"),                       // any \u escape (lone surrogates)
           std::string(R"({"n":-0})"),                            // -0: signed to nlohmann
           std::string(R"({"n":18446744073709551616})"),          // beyond 64 bits: a double to nlohmann
           std::string(R"({"a":1,})"),                            // not JSON at all
           std::string("{\"bad\":\"\xff\"}"),                     // not UTF-8
           R"({"k":")" + std::string(kFastParseMaxBytes, 'x') + R"("})",  // past the size kept
       }) {
    EXPECT_FALSE(fastParseJson(body)) << body.substr(0, 60);
  }
}

// A stored item's text gives the value nlohmann's parser gives, by either
// way; text that is not JSON throws as Json::parse does.
TEST(JsonFastParse, StoredTextGivesNlohmannsValueEitherWay) {
  Json item = {{"k", {{"S", std::string(2000, 'x')}}}, {"n", {{"N", "-0"}}}, {"u", {{"S", "日本語"}}},
               {"l", {{"L", Json::array({Json{{"BOOL", true}}, Json{{"NULL", true}}, Json{{"N", "1e5"}}})}}}};
  const std::string plain = item.dump();
  ASSERT_TRUE(fastParseJson(plain));  // simdjson's way
  item["ctl"] = {{"S", std::string("a\x01b")}};  // dumped as \u0001: nlohmann's way
  const std::string escaped = item.dump();
  ASSERT_FALSE(fastParseJson(escaped));
  for (const std::string& text : {plain, escaped, std::string(R"({"n":-0})"), std::string("{}")}) {
    expectSame(parseStoredJson(text), Json::parse(text));
  }
  EXPECT_THROW(parseStoredJson(R"({"a":1,})"), Json::parse_error);
  EXPECT_THROW(parseStoredJson(""), Json::parse_error);
}

}  // namespace
}  // namespace kura
