#include "common/text/text.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd::text {
namespace {

using ::testing::ElementsAre;

struct FoldCase {
  std::string in;
  std::string out;
};

TEST(Fold, MapsEveryVietnameseLetterToItsBaseWithoutCase) {
  const FoldCase cases[] = {
      {"Thanh Trì", "thanh tri"},
      {"Đống Đa", "dong da"},
      {"đường Giải Phóng", "duong giai phong"},
      {"Hoàn Kiếm", "hoan kiem"},
      {"Hưng Yên", "hung yen"},
      {"ƠỜỚỞỠỢ ơờớởỡợ", "oooooo oooooo"},
      {"ƯỪỨỬỮỰ ưừứửữự", "uuuuuu uuuuuu"},
      {"ÂẦẤẨẪẬ ĂẰẮẲẴẶ", "aaaaaa aaaaaa"},
      {"ÊỀẾỂỄỆ ÔỒỐỔỖỘ", "eeeeee oooooo"},
      {"ỲÝỶỸỴ ÌÍỈĨỊ", "yyyyy iiiii"},
      {"Karaoke 3A/12", "karaoke 3a/12"},
  };
  for (const FoldCase& c : cases) EXPECT_EQ(Fold(c.in), c.out) << c.in;
}

TEST(Fold, FoldsDecomposedTextLikePrecomposedText) {
  // "Trì" as T r i + U+0300 COMBINING GRAVE ACCENT.
  EXPECT_EQ(Fold("Tri\xCC\x80"), "tri");
  EXPECT_EQ(Fold("Tri\xCC\x80"), Fold("Trì"));
}

TEST(Fold, KeepsCharactersOutsideLatinAndDropsInvalidBytes) {
  EXPECT_EQ(Fold("Nhà 中文"), "nha 中文");
  EXPECT_EQ(Fold("ab\xFF"
                 "c"),
            "abc");
}

TEST(Words, SplitsOnPunctuationAndKeepsEachWordOnce) {
  EXPECT_THAT(Words("Số 12, ngõ 34 phố Hàng Bạc – «Hoàn Kiếm»; số 12"),
              ElementsAre("so", "12", "ngo", "34", "pho", "hang", "bac", "hoan", "kiem"));
  EXPECT_THAT(Words("  "), ElementsAre());
}

TEST(Words, GivesTheSameWordsWithAndWithoutDiacritics) {
  EXPECT_EQ(Words("quán karaoke ở Thanh Trì"), Words("quan KARAOKE o thanh tri"));
}

}  // namespace
}  // namespace pcmd::text
