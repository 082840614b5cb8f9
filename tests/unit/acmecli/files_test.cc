// Files and the account directory, in a private temporary directory per test.
#include "lib/acmecli/files.h"

#include <cstdlib>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "lib/acmecli/account_store.h"

namespace certkeeper::acmecli {
namespace {

namespace fs = std::filesystem;

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "ck-acmecli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  static mode_t mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  std::vector<std::string> entries(const std::string& dir) const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  std::string dir_;
};

using WriteFileAtomic = TempDir;

TEST_F(WriteFileAtomic, SecretsAre0600AndPublicFilesKeepTheirModeWhateverTheUmask) {
  const mode_t old = ::umask(0);
  ASSERT_TRUE(write_file_atomic(dir_ + "/k.key", "secret", 0600));
  ::umask(0077);
  ASSERT_TRUE(write_file_atomic(dir_ + "/c.crt", "public", 0644));
  ::umask(old);
  EXPECT_EQ(mode_of(dir_ + "/k.key"), 0600u);
  EXPECT_EQ(mode_of(dir_ + "/c.crt"), 0644u);
  EXPECT_EQ(*read_file(dir_ + "/k.key"), "secret");
}

TEST_F(WriteFileAtomic, ReplacesWholeAndLeavesNoTemporaryFiles) {
  ASSERT_TRUE(write_file_atomic(dir_ + "/f", "first, longer content", 0600));
  ASSERT_TRUE(write_file_atomic(dir_ + "/f", "second", 0600));
  EXPECT_EQ(*read_file(dir_ + "/f"), "second");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"f"});
}

TEST_F(WriteFileAtomic, CreatesMissingDirectoriesPrivately) {
  ASSERT_TRUE(write_file_atomic(dir_ + "/a/b/f", "x", 0600));
  EXPECT_EQ(mode_of(dir_ + "/a/b"), 0700u);
}

TEST_F(WriteFileAtomic, AMissingFileIsNotFound) {
  auto missing = read_file(dir_ + "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), common::ErrorCode::kNotFound);
}

using AccountStoreTest = TempDir;

TEST_F(AccountStoreTest, KeepsOneAccountUrlPerDirectory) {
  AccountStore store(dir_ + "/acct");
  EXPECT_FALSE(store.account_url("https://a/dir")->has_value());
  ASSERT_TRUE(store.save_account("https://a/dir", "https://a/acct/1", "ops@example.com"));
  ASSERT_TRUE(store.save_account("https://b/dir", "https://b/acct/9", ""));
  EXPECT_EQ(**store.account_url("https://a/dir"), "https://a/acct/1");
  EXPECT_EQ(**store.account_url("https://b/dir"), "https://b/acct/9");
  EXPECT_EQ(mode_of(dir_ + "/acct/account.json"), 0600u);
}

TEST_F(AccountStoreTest, KeyRoundTripsWithMode0600) {
  AccountStore store(dir_);
  EXPECT_EQ(store.load_key().error().code(), common::ErrorCode::kNotFound);
  auto key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa, 384);
  ASSERT_TRUE(store.save_key(*key));
  EXPECT_EQ(mode_of(store.key_path()), 0600u);
  EXPECT_TRUE(store.load_key()->matches(key->public_key()));
}

TEST_F(AccountStoreTest, RolloverKeepsTheOldKeyAndInstallsTheNewOneOnlyOnCommit) {
  AccountStore store(dir_);
  auto old_key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa);
  auto new_key = crypto::PrivateKey::generate(crypto::KeyAlgorithm::kEcdsa);
  ASSERT_TRUE(store.save_key(*old_key));

  ASSERT_TRUE(store.stage_next_key(*new_key));
  EXPECT_TRUE(store.load_key()->matches(old_key->public_key()));  // refused: nothing changes
  store.discard_next_key();
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"account.key"});

  ASSERT_TRUE(store.stage_next_key(*new_key));
  ASSERT_TRUE(store.commit_next_key());
  EXPECT_TRUE(store.load_key()->matches(new_key->public_key()));
  EXPECT_EQ(entries(dir_), (std::vector<std::string>{"account.key", "account.key.old"}));
  EXPECT_EQ(mode_of(dir_ + "/account.key.old"), 0600u);
  EXPECT_EQ(mode_of(dir_ + "/account.key"), 0600u);
}

}  // namespace
}  // namespace certkeeper::acmecli
