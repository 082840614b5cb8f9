#include "lib/common/encoding.h"

#include <gtest/gtest.h>

namespace certkeeper::common {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, DecodeToleratesMissingPaddingAndLineBreaks) {
  EXPECT_EQ(base64_decode("Zm9vYg").value(), "foob");
  EXPECT_EQ(base64_decode("Zm9v\nYmFy\r\n").value(), "foobar");
}

TEST(Base64, BinaryRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  EXPECT_EQ(base64_decode(base64_encode(all)).value(), all);
}

TEST(Base64, RejectsOutsideAlphabetWithoutEchoingInput) {
  auto r = base64_decode("Zm9v$secret");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message().find("secret"), std::string::npos);
  EXPECT_FALSE(base64_decode("Zg==Zg=="));  // data after padding
  EXPECT_FALSE(base64_decode("Z"));         // a lone 6-bit group cannot end a byte
  EXPECT_FALSE(base64_decode("Zh=="));      // non-zero pad bits
}

}  // namespace
}  // namespace certkeeper::common
