#include "common/crypto/keyring.h"

#include <sys/stat.h>

#include <fstream>

#include "common/testing/subprocess.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

std::unique_ptr<Keyring> Ring(std::map<int, char> versions, char index = 'i') {
  std::map<int, std::string> keys;
  for (auto [v, fill] : versions) keys[v] = std::string(32, fill);
  return Keyring::ForTesting(keys, std::string(32, index));
}

TEST(FieldCipher, OpensWhatItSealedAndHidesThePlaintext) {
  auto ring = Ring({{1, 'a'}});
  FieldCipher cipher(*ring);
  const std::string name = "Nguyễn Thị Hoa";
  const std::string sealed = cipher.Seal(name, "tips/1#reporter.name");
  EXPECT_EQ(sealed.find(name), std::string::npos);
  EXPECT_EQ(sealed.find("Hoa"), std::string::npos);
  EXPECT_EQ(*cipher.Open(sealed, "tips/1#reporter.name"), name);
}

TEST(FieldCipher, UsesAFreshNonceSoEqualValuesDoNotLookEqual) {
  auto ring = Ring({{1, 'a'}});
  FieldCipher cipher(*ring);
  EXPECT_NE(cipher.Seal("0912345678", "c"), cipher.Seal("0912345678", "c"));
}

TEST(FieldCipher, RefusesAValueMovedToAnotherFieldOrAltered) {
  auto ring = Ring({{1, 'a'}});
  FieldCipher cipher(*ring);
  std::string sealed = cipher.Seal("0912345678", "tips/1#reporter.phone");
  EXPECT_EQ(cipher.Open(sealed, "tips/2#reporter.phone").status().code(),
            absl::StatusCode::kDataLoss);
  sealed.back() ^= 0x01;
  EXPECT_EQ(cipher.Open(sealed, "tips/1#reporter.phone").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(cipher.Open("plain text", "x").status().code(), absl::StatusCode::kDataLoss);
}

TEST(FieldCipher, SealsWithTheNewestKeyAndStillOpensOlderVersions) {
  auto old_ring = Ring({{1, 'a'}});
  const std::string old_sealed = FieldCipher(*old_ring).Seal("cũ", "c");
  auto rotated = Ring({{1, 'a'}, {2, 'b'}});
  FieldCipher cipher(*rotated);
  const std::string new_sealed = cipher.Seal("mới", "c");
  EXPECT_EQ(FieldCipher::VersionOf(old_sealed), 1);
  EXPECT_EQ(FieldCipher::VersionOf(new_sealed), 2);
  EXPECT_EQ(*cipher.Open(old_sealed, "c"), "cũ");
  EXPECT_EQ(*cipher.Open(new_sealed, "c"), "mới");
  // A keyring that lost version 1 names what is missing.
  auto only_new = Ring({{2, 'b'}});
  const auto status = FieldCipher(*only_new).Open(old_sealed, "c").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("version 1"));
}

TEST(BlindIndex, MatchesTheSameValueAfterNormalisingAndSeparatesKinds) {
  auto ring = Ring({{1, 'a'}});
  BlindIndex index(*ring);
  EXPECT_EQ(index.Hash("id_number", " 001AB123 "), index.Hash("id_number", "001ab123"));
  EXPECT_NE(index.Hash("id_number", "001ab123"), index.Hash("phone", "001ab123"));
  EXPECT_NE(index.Hash("id_number", "001ab123"), index.Hash("id_number", "001ab124"));
  EXPECT_THAT(index.Hash("id_number", "x"), MatchesRegex("[0-9a-f]{64}"));
}

TEST(BlindIndex, GivesTheSamePseudonymForOnePersonOnlyUnderTheSameDeploymentKey) {
  auto here = Ring({{1, 'a'}}, 'i');
  auto there = Ring({{1, 'a'}}, 'j');
  const std::string p = BlindIndex(*here).Pseudonym("079190001234");
  EXPECT_EQ(p, BlindIndex(*here).Pseudonym("079190001234"));
  EXPECT_NE(p, BlindIndex(*here).Pseudonym("079190001235"));
  EXPECT_NE(p, BlindIndex(*there).Pseudonym("079190001234"));
  EXPECT_THAT(p, MatchesRegex("psn_[0-9a-hjkmnp-tv-z]{26}"));
  EXPECT_THAT(p, Not(HasSubstr("079190001234")));
}

TEST(Keyring, GeneratesLoadsAndRotatesAKeyFolderReadableOnlyByItsOwner) {
  testing::TempDir dir;
  const std::string folder = dir.File("keys");
  ASSERT_TRUE(Keyring::Generate(folder).ok());
  EXPECT_EQ(Keyring::Generate(folder).code(), absl::StatusCode::kAlreadyExists);
  struct stat st {};
  ASSERT_EQ(stat((folder + "/field-1.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
  auto ring = Keyring::Load(folder);
  ASSERT_TRUE(ring.ok()) << ring.status();
  const std::string sealed = FieldCipher(**ring).Seal("bí mật", "c");
  ASSERT_EQ(*Keyring::Rotate(folder), 2);
  auto rotated = Keyring::Load(folder);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ((*rotated)->current_version(), 2);
  EXPECT_EQ(*FieldCipher(**rotated).Open(sealed, "c"), "bí mật");
  // The index key does not rotate with field keys: pseudonyms stay stable.
  EXPECT_EQ(BlindIndex(**ring).Pseudonym("x"), BlindIndex(**rotated).Pseudonym("x"));
}

TEST(Keyring, NamesTheBadFileWhenAKeyIsMalformedOrMissing) {
  testing::TempDir dir;
  EXPECT_EQ(Keyring::Load(dir.path()).status().code(), absl::StatusCode::kNotFound);
  std::ofstream(dir.File("field-1.key")) << "not hex\n";
  std::ofstream(dir.File("index.key")) << std::string(64, 'a') << "\n";
  const auto status = Keyring::Load(dir.path()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("field-1.key"));
}

}  // namespace
}  // namespace pcmd::crypto
