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

}  // namespace
}  // namespace kura
