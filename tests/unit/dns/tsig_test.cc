#include "lib/dns/tsig.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certkeeper::dns {
namespace {

using ::testing::HasSubstr;

TEST(ParseTsigAlgorithm, AcceptsCertManagerSpellingsCaseInsensitively) {
  EXPECT_EQ(parse_tsig_algorithm("HMACMD5").value(), TsigAlgorithm::kHmacMd5);
  EXPECT_EQ(parse_tsig_algorithm("HMACSHA1").value(), TsigAlgorithm::kHmacSha1);
  EXPECT_EQ(parse_tsig_algorithm("HMACSHA256").value(), TsigAlgorithm::kHmacSha256);
  EXPECT_EQ(parse_tsig_algorithm("HMACSHA512").value(), TsigAlgorithm::kHmacSha512);
  EXPECT_EQ(parse_tsig_algorithm("hmacsha256").value(), TsigAlgorithm::kHmacSha256);
  EXPECT_EQ(parse_tsig_algorithm("HmacSha512").value(), TsigAlgorithm::kHmacSha512);
}

TEST(ParseTsigAlgorithm, AcceptsBindNames) {
  EXPECT_EQ(parse_tsig_algorithm("hmac-md5").value(), TsigAlgorithm::kHmacMd5);
  EXPECT_EQ(parse_tsig_algorithm("hmac-md5.sig-alg.reg.int.").value(), TsigAlgorithm::kHmacMd5);
  EXPECT_EQ(parse_tsig_algorithm("hmac-sha1").value(), TsigAlgorithm::kHmacSha1);
  EXPECT_EQ(parse_tsig_algorithm("HMAC-SHA256").value(), TsigAlgorithm::kHmacSha256);
  EXPECT_EQ(parse_tsig_algorithm("hmac-sha256.").value(), TsigAlgorithm::kHmacSha256);
  EXPECT_EQ(parse_tsig_algorithm("hmac-sha512").value(), TsigAlgorithm::kHmacSha512);
}

TEST(ParseTsigAlgorithm, EmptyIsTheCertManagerDefaultMd5) {
  EXPECT_EQ(parse_tsig_algorithm("").value(), TsigAlgorithm::kHmacMd5);
}

TEST(ParseTsigAlgorithm, UnknownIsInvalidArgumentNamingTheField) {
  for (const char* bad : {"HMACSHA384", "sha256", "hmac-sha256x", "gss-tsig"}) {
    auto algorithm = parse_tsig_algorithm(bad, "tsigAlgorithm");
    ASSERT_FALSE(algorithm) << bad;
    EXPECT_EQ(algorithm.error().code(), common::ErrorCode::kInvalidArgument);
    EXPECT_THAT(algorithm.error().message(), HasSubstr("tsigAlgorithm"));
    EXPECT_THAT(algorithm.error().message(), HasSubstr(bad));
  }
}

TEST(TsigAlgorithmNames, DnameAndCertManagerSpelling) {
  EXPECT_EQ(tsig_algorithm_dname(TsigAlgorithm::kHmacMd5), "hmac-md5.sig-alg.reg.int.");
  EXPECT_EQ(tsig_algorithm_dname(TsigAlgorithm::kHmacSha1), "hmac-sha1.");
  EXPECT_EQ(tsig_algorithm_dname(TsigAlgorithm::kHmacSha256), "hmac-sha256.");
  EXPECT_EQ(tsig_algorithm_dname(TsigAlgorithm::kHmacSha512), "hmac-sha512.");
  for (auto algorithm : {TsigAlgorithm::kHmacMd5, TsigAlgorithm::kHmacSha1,
                         TsigAlgorithm::kHmacSha256, TsigAlgorithm::kHmacSha512}) {
    EXPECT_EQ(parse_tsig_algorithm(to_string(algorithm)).value(), algorithm);
  }
}

}  // namespace
}  // namespace certkeeper::dns
