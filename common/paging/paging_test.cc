#include "common/paging/paging.h"

#include "gtest/gtest.h"
#include "pcmd/inspections/v1/inspections.pb.h"

namespace pcmd {
namespace {

using inspections::v1::ListTeamsRequest;

TEST(Paging, GivesTheSameFingerprintWhateverThePageAndAnotherForOtherFilters) {
  ListTeamsRequest first;
  first.set_unit_code("01");
  ListTeamsRequest next = first;
  next.set_page_size(20);
  next.set_page_token("abc");
  EXPECT_EQ(QueryFingerprint(first), QueryFingerprint(next));
  ListTeamsRequest other = first;
  other.set_active_on("2024-06-03");
  EXPECT_NE(QueryFingerprint(first), QueryFingerprint(other));
}

TEST(Paging, ReadsBackThePositionOnlyForTheQueryItWasMadeFor) {
  const std::string token = MakePageToken("2024-06-03.teams/01ab", "f00d");
  EXPECT_EQ(ReadPageToken(token, "f00d"), "2024-06-03.teams/01ab");
  EXPECT_EQ(ReadPageToken(token, "beef"), std::nullopt);
  EXPECT_EQ(ReadPageToken("not base64!", "f00d"), std::nullopt);
  EXPECT_EQ(ReadPageToken("", "f00d"), std::nullopt);
}

}  // namespace
}  // namespace pcmd
