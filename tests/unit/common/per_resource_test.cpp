// A watcher's per-resource state goes with its resources (per_resource.h).
#include "common/per_resource.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace kura {
namespace {

TEST(PerResource, ForgetsWhatIsNoLongerLive) {
  std::map<std::string, int> unanswered = {{"arn:a", 1}, {"arn:b", 2}, {"arn:c", 3}};
  std::set<std::string> switched = {"/d/a", "/d/b"};
  EXPECT_EQ(forgetAllBut(unanswered, std::set<std::string>{"arn:b", "arn:z"}), 2u);
  EXPECT_EQ(unanswered, (std::map<std::string, int>{{"arn:b", 2}}));
  EXPECT_EQ(forgetAllBut(switched, std::set<std::string>{"/d/a"}), 1u);
  EXPECT_EQ(switched, (std::set<std::string>{"/d/a"}));
  EXPECT_EQ(forgetAllBut(unanswered, std::set<std::string>{}), 1u);
  EXPECT_TRUE(unanswered.empty());
}

}  // namespace
}  // namespace kura
