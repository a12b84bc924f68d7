#include <gtest/gtest.h>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/time_format.h"

namespace kura {
namespace {

TEST(TimeFormat, RoundTripsAwsForms) {
  auto t = parseTimestamp("2026-11-24T03:12:45Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(formatIso8601Seconds(*t), "2026-11-24T03:12:45Z");
  EXPECT_EQ(formatIso8601(*t), "2026-11-24T03:12:45.000Z");
  EXPECT_EQ(formatAmzDate(*t), "20261124T031245Z");
  EXPECT_EQ(parseTimestamp("20261124T031245Z"), t);
  EXPECT_EQ(parseTimestamp("2026-11-24T12:12:45+09:00"), t);
  EXPECT_EQ(formatIso8601(*parseTimestamp("2026-11-24T03:12:45.250Z")), "2026-11-24T03:12:45.250Z");
  EXPECT_EQ(formatIso8601(*parseTimestamp("1.5")), "1970-01-01T00:00:01.500Z");
  EXPECT_FALSE(parseTimestamp("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parseTimestamp("yesterday"));
  EXPECT_FALSE(parseTimestamp(""));
}

TEST(TimeFormat, SecondsFormatEachSecondAgain) {
  // Each thread keeps the last second's text: a different second, and the
  // first again, are formatted anew.
  auto t = *parseTimestamp("2026-11-24T03:12:45Z");
  EXPECT_EQ(formatIso8601Seconds(t), "2026-11-24T03:12:45Z");
  EXPECT_EQ(formatIso8601Seconds(t + std::chrono::milliseconds(999)), "2026-11-24T03:12:45Z");
  EXPECT_EQ(formatIso8601Seconds(t + std::chrono::seconds(1)), "2026-11-24T03:12:46Z");
  EXPECT_EQ(formatIso8601Seconds(t), "2026-11-24T03:12:45Z");
  EXPECT_EQ(formatIso8601Seconds(SystemTime{} - std::chrono::seconds(1)), "1969-12-31T23:59:59Z");
}

TEST(Crypto, HexBothWays) {
  std::string bytes;
  ASSERT_TRUE(fromHex("00ff7Fa0", bytes));
  EXPECT_EQ(bytes, std::string("\x00\xff\x7f\xa0", 4));
  EXPECT_EQ(toHex(bytes), "00ff7fa0");
  ASSERT_TRUE(fromHex("", bytes));
  EXPECT_TRUE(bytes.empty());
  EXPECT_FALSE(fromHex("abc", bytes));  // odd
  EXPECT_FALSE(fromHex("0g", bytes));
  EXPECT_FALSE(fromHex("-1", bytes));
}

TEST(Crypto, HashesAndEncodes) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(toHex(hmacSha256("key", "The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  // Each call has its own key, also right after another key (the context
  // is reused), also empty or longer than a block (RFC 4231 case 1; the
  // others checked against `openssl dgst -hmac`).
  EXPECT_EQ(toHex(hmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(toHex(hmacSha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(toHex(hmacSha256(std::string_view(), "abc")),
            "fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351");
  EXPECT_EQ(toHex(hmacSha256(std::string(200, 'k'), "data")),
            "0163658d479ec73f2b801df07141db1426aaae2c6b5e8e6d9e6789f92f5e2b4f");
  // The same key again starts from its prepared state: each call's MAC is
  // still its own data's, and a key one byte apart is set anew.
  EXPECT_EQ(toHex(hmacSha256("key", "one")), "0cf1a9a873bd799074ecef7099c639df5859e0c1bedb40d0a65c03fbecb50eea");
  EXPECT_EQ(toHex(hmacSha256("key", "two")), "a8241d62807ce22e491a983675191d58b15786c97265ca9254ed63577b6c2d9f");
  EXPECT_EQ(toHex(hmacSha256("kez", "two")), "f1d8a29bacfe160615061cbc6d6ec69a7c3f4818f064c2148856b01fed68b9bb");
  EXPECT_EQ(toHex(hmacSha256("key", "two")), "a8241d62807ce22e491a983675191d58b15786c97265ca9254ed63577b6c2d9f");
  EXPECT_EQ(toHex(hmacSha256("", "x")), "4cbc96099a6467ce002461f10549b4898265ebe6188b45efacc44293516e62c4");
  EXPECT_EQ(toHex(hmacSha256("", "x")), "4cbc96099a6467ce002461f10549b4898265ebe6188b45efacc44293516e62c4");
  EXPECT_EQ(toHex(hmacSha256(std::string(200, 'k'), "again")),
            "f1be43ff169097212f287627e4252800e8a66eca4820acbcd17d28128c50f67d");
  EXPECT_EQ(toHex(hmacSha256(std::string(200, 'k'), "again")),
            "f1be43ff169097212f287627e4252800e8a66eca4820acbcd17d28128c50f67d");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  std::string decoded;
  ASSERT_TRUE(base64Decode(base64Encode("hello!?"), decoded));
  EXPECT_EQ(decoded, "hello!?");
  EXPECT_FALSE(base64Decode("a", decoded));
  EXPECT_FALSE(base64Decode("ab$=", decoded));
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_EQ(toHex(std::string("\x00\x0f\xa5\xff", 4)), "000fa5ff");
  EXPECT_NE(newUuid(), newUuid());
  std::string uuid = newUuid();
  ASSERT_EQ(uuid.size(), 36u);
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      EXPECT_EQ(uuid[i], '-') << uuid;
    } else {
      EXPECT_NE(std::string("0123456789abcdef").find(uuid[i]), std::string::npos) << uuid;
    }
  }
  EXPECT_EQ(uuid[14], '4') << uuid;  // version 4
}

}  // namespace
}  // namespace kura

#include <filesystem>

#include "common/secret_box.h"

namespace kura {
namespace {

TEST(SecretBox, SealsOpensAndRejectsTampering) {
  auto path = std::filesystem::temp_directory_path() / ("kura-box-" + std::to_string(::getpid())) / "box.key";
  auto box = SecretBox::openOrCreate(path);
  ASSERT_TRUE(box.ok());
  std::string sealed = (*box)->seal("S3cret-pass");
  EXPECT_EQ(sealed.find("S3cret"), std::string::npos);
  EXPECT_EQ((*box)->open(sealed), "S3cret-pass");
  auto again = SecretBox::openOrCreate(path);
  EXPECT_EQ((*again)->open(sealed), "S3cret-pass");
  std::string tampered = sealed;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE((*box)->open(tampered));
  EXPECT_FALSE((*box)->open("not base64!"));
  std::filesystem::remove_all(path.parent_path());
}

}  // namespace
}  // namespace kura
