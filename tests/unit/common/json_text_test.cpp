#include "common/json_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

namespace kura {
namespace {

std::string asJson(std::string_view text) {
  std::string out;
  appendJsonString(out, text);
  return out;
}

TEST(JsonText, EscapesWhatJsonRequires) {
  EXPECT_EQ(asJson("plain"), "\"plain\"");
  EXPECT_EQ(asJson("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(asJson("line\nnext\ttab\r\b\f"), "\"line\\nnext\\ttab\\r\\b\\f\"");
  EXPECT_EQ(asJson(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(asJson(""), "\"\"");
}

TEST(JsonText, KeepsValidUtf8AndReplacesTheRest) {
  EXPECT_EQ(asJson("日本語 ✓ \xF0\x9F\x98\x80"), "\"日本語 ✓ \xF0\x9F\x98\x80\"");
  EXPECT_EQ(asJson("bad \xFF end"), "\"bad \xEF\xBF\xBD end\"");
  EXPECT_EQ(asJson("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");          // overlong
  EXPECT_EQ(asJson("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  EXPECT_EQ(asJson("cut \xE6\x97"), "\"cut \xEF\xBF\xBD\xEF\xBF\xBD\"");   // truncated
}

TEST(JsonText, AnyBytesGiveAStringThatParsesBack) {
  std::mt19937 random(7);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(static_cast<size_t>(random() % 40), '\0');
    for (char& byte : bytes) byte = static_cast<char>(random() % 256);
    std::string text = asJson(bytes);
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << text;
    ASSERT_TRUE(parsed.is_string());
    // Valid UTF-8 comes back unchanged.
    bool valid = true;
    try {
      (void)nlohmann::json(bytes).dump();
    } catch (const nlohmann::json::type_error&) {
      valid = false;
    }
    if (valid) {
      EXPECT_EQ(parsed.get<std::string>(), bytes);
    }

  }
}

// appendJson writes dump()'s bytes: items are stored as it writes them,
// and answered as stored.
TEST(JsonText, AppendJsonWritesWhatDumpWrites) {
  std::vector<nlohmann::json> values = {
      nlohmann::json::parse(R"({"k":{"S":"a\"b\\c\n\t\u0001\u001f\u007f/日本語 ✓ 😀"},"n":{"N":"-12.5e3"},
                               "b":{"BOOL":false},"z":{"NULL":true},"l":{"L":[{"S":""},{"N":"1"},{"M":{}}]},
                               "ss":{"SS":["x","y"]},"m":{"M":{"inner":{"B":"AAEC"}}},"e":[],"o":{}})"),
      nlohmann::json::parse(R"([1,-2,18446744073709551615,-9223372036854775808,0,true,null,"x"])"),
      nlohmann::json::parse(R"({"float":1.5,"tiny":1e-300,"big":1.7976931348623157e308,"neg":-0.0})"),
      nlohmann::json("plain"), nlohmann::json(nullptr), nlohmann::json::object(), nlohmann::json::array()};
  std::mt19937 random(7);
  for (int i = 0; i < 200; ++i) {  // strings of every byte below 0x80, and valid UTF-8 above
    std::string text;
    for (int j = 0; j < 40; ++j) text.push_back(static_cast<char>(random() % 0x80));
    text += "\xC3\xA9\xE2\x82\xAC";
    values.push_back(nlohmann::json{{"S", text}, {text, {{"N", std::to_string(random())}}}});
  }
  for (const auto& value : values) {
    std::string written;
    appendJson(written, value);
    EXPECT_EQ(written, value.dump());
  }
  // A byte that is not valid UTF-8, in a value or a key: dump()'s error.
  for (const nlohmann::json& invalid : {nlohmann::json{{"S", "ok \xff"}}, nlohmann::json{{"k\xC3", 1}},
                                        nlohmann::json::array({"\xED\xA0\x80"})}) {
    std::string written;
    EXPECT_THROW(appendJson(written, invalid), nlohmann::json::type_error);
    EXPECT_THROW((void)invalid.dump(), nlohmann::json::type_error);
  }
}

}  // namespace
}  // namespace kura
