// Vietnamese text for search: folding away case and diacritics, and splitting into
// words, so that "Thanh Tri" finds "Thanh Trì" and "dong da" finds "Đống Đa".
//
// Folding maps each Latin letter with diacritics (precomposed, U+00C0–U+024F and
// U+1E00–U+1EFF, which hold every Vietnamese letter) to its lowercase ASCII base
// letter, "đ"/"Đ" to "d", drops combining marks (U+0300–U+036F, so decomposed input
// folds the same as precomposed), and lowercases ASCII. Other characters are kept as
// they are. Pure functions; thread-safe.
#ifndef PCMD_COMMON_TEXT_TEXT_H_
#define PCMD_COMMON_TEXT_TEXT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace pcmd::text {

// `utf8` folded as above. Invalid UTF-8 bytes are dropped.
std::string Fold(absl::string_view utf8);

// The distinct words of Fold(utf8), in order of first appearance: maximal runs of
// ASCII letters and digits and of non-ASCII characters; everything else (spaces,
// punctuation, "/", "-") separates words.
std::vector<std::string> Words(absl::string_view utf8);

}  // namespace pcmd::text

#endif  // PCMD_COMMON_TEXT_TEXT_H_
