#include "engines/resp_reply.h"

#include <gtest/gtest.h>

namespace kura::engines {
namespace {

TEST(RespReply, CommandIsAnArrayOfBulkStringsWhateverTheBytes) {
  EXPECT_EQ(respCommand({"AUTH", "kura-admin", "pa ss\r\n"}),
            "*3\r\n$4\r\nAUTH\r\n$10\r\nkura-admin\r\n$7\r\npa ss\r\n\r\n");
  EXPECT_EQ(respCommand({}), "*0\r\n");
}

TEST(RespReply, ReadsTheRepliesOfAnExchangeInOrder) {
  std::string answer = "+OK\r\n$11\r\nrole:master\r\n+OK\r\n";
  auto replies = respReplies(answer, 5);
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].type, '+');
  EXPECT_EQ(replies[0].text, "OK");
  EXPECT_EQ(replies[1].type, '$');
  EXPECT_EQ(replies[1].text, "role:master");
  EXPECT_EQ(replies[2].text, "OK");
  EXPECT_EQ(respReplies(answer, 1).size(), 1u);
}

TEST(RespReply, ErrorsIntegersAndNullBulkStrings) {
  auto replies = respReplies("-WRONGPASS invalid username-password pair\r\n:42\r\n$-1\r\n$0\r\n\r\n", 9);
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0].type, '-');
  EXPECT_EQ(replies[0].text, "WRONGPASS invalid username-password pair");
  EXPECT_EQ(replies[1].text, "42");
  EXPECT_TRUE(replies[2].null);
  EXPECT_FALSE(replies[3].null);
  EXPECT_EQ(replies[3].text, "");
}

TEST(RespReply, ABulkStringMayHoldLineBreaks) {
  auto replies = respReplies("$4\r\na\r\nb\r\n+PONG\r\n", 2);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].text, "a\r\nb");
  EXPECT_EQ(replies[1].text, "PONG");
}

TEST(RespReply, WhatIsCutShortOrMalformedEndsTheList) {
  EXPECT_TRUE(respReplies("", 2).empty());
  EXPECT_TRUE(respReplies("+OK", 2).empty());                       // no line end yet
  EXPECT_EQ(respReplies("+OK\r\n$10\r\nshort\r\n", 2).size(), 1u);  // a bulk string cut short
  EXPECT_EQ(respReplies("+OK\r\n$5\r\nhelloXX", 2).size(), 1u);     // not ended by CRLF
  EXPECT_EQ(respReplies("+OK\r\n$-2\r\n", 2).size(), 1u);
  EXPECT_EQ(respReplies("+OK\r\n$1x\r\n", 2).size(), 1u);
  EXPECT_EQ(respReplies("+OK\r\n$99999999999999999999\r\n", 2).size(), 1u);
  EXPECT_EQ(respReplies("+OK\r\n$9223372036854775807\r\n", 2).size(), 1u);
  EXPECT_EQ(respReplies("+OK\r\n*1\r\n$1\r\na\r\n", 2).size(), 1u);  // arrays are not read
  EXPECT_TRUE(respReplies("HTTP/1.1 400\r\n", 2).empty());
}

}  // namespace
}  // namespace kura::engines
