#include <gtest/gtest.h>

#include "tests/support/testenv.h"

namespace certkeeper::testing {
namespace {

TEST(TestEnvFile, ParsesKeyValueLinesAndSkipsComments) {
  auto values = parse_env_file(
      "# written by tools/testenv\n"
      "KUBECONFIG=/tmp/run/admin.kubeconfig\n"
      "\n"
      "CK_ACME_DIRECTORY=https://127.0.0.1:14000/dir\n"
      "CK_EMPTY=\n"
      "CK_WITH_EQUALS=a=b\n");
  ASSERT_TRUE(values) << values.error().to_string();
  EXPECT_EQ(values->at("KUBECONFIG"), "/tmp/run/admin.kubeconfig");
  EXPECT_EQ(values->at("CK_ACME_DIRECTORY"), "https://127.0.0.1:14000/dir");
  EXPECT_EQ(values->at("CK_EMPTY"), "");
  EXPECT_EQ(values->at("CK_WITH_EQUALS"), "a=b");
  EXPECT_EQ(values->size(), 4U);
}

TEST(TestEnvFile, RejectsLinesWithoutAKeyNamingTheLine) {
  auto values = parse_env_file("A=1\nnot a pair\n");
  ASSERT_FALSE(values);
  EXPECT_NE(values.error().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(parse_env_file("=value\n"));
}

}  // namespace
}  // namespace certkeeper::testing
