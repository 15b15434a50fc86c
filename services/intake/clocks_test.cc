#include "services/intake/clocks.h"

#include <vector>

#include "gtest/gtest.h"

namespace pcmd::intake {
namespace {

using v1::ExtensionBasis;

struct LegalCase {
  const char* what;
  v1::LegalKind kind;
  absl::CivilDay received;
  std::vector<ExtensionBasis> bases;
  absl::CivilDay deadline;
};

TEST(LegalDeadline, FollowsTheCriminalProcedureCodeAndTheLawOnComplaints) {
  const absl::CivilDay june3(2024, 6, 3);
  const std::vector<LegalCase> cases = {
      {"denunciation: 20 days (CPC Art. 147(1))",
       v1::LEGAL_KIND_DENUNCIATION,
       june3,
       {},
       absl::CivilDay(2024, 6, 23)},
      {"crime report: 20 days",
       v1::LEGAL_KIND_CRIME_REPORT,
       june3,
       {},
       absl::CivilDay(2024, 6, 23)},
      {"petition to prosecute: 20 days",
       v1::LEGAL_KIND_PETITION_TO_PROSECUTE,
       june3,
       {},
       absl::CivilDay(2024, 6, 23)},
      {"20 days cross a month end",
       v1::LEGAL_KIND_DENUNCIATION,
       absl::CivilDay(2024, 1, 25),
       {},
       absl::CivilDay(2024, 2, 14)},
      {"complex denunciation: 2 months",
       v1::LEGAL_KIND_DENUNCIATION,
       june3,
       {v1::EXTENSION_BASIS_COMPLEX_CASE},
       absl::CivilDay(2024, 8, 3)},
      {"procuracy extension: 2 more months (Art. 147(2))",
       v1::LEGAL_KIND_DENUNCIATION,
       june3,
       {v1::EXTENSION_BASIS_COMPLEX_CASE, v1::EXTENSION_BASIS_PROCURACY_EXTENSION},
       absl::CivilDay(2024, 10, 3)},
      {"2 months from 31 December end on the last day of February",
       v1::LEGAL_KIND_CRIME_REPORT,
       absl::CivilDay(2023, 12, 31),
       {v1::EXTENSION_BASIS_COMPLEX_CASE},
       absl::CivilDay(2024, 2, 29)},
      {"complaint: 30 days (Law on Complaints Art. 28)",
       v1::LEGAL_KIND_COMPLAINT,
       june3,
       {},
       absl::CivilDay(2024, 7, 3)},
      {"complex complaint: 45 days",
       v1::LEGAL_KIND_COMPLAINT,
       june3,
       {v1::EXTENSION_BASIS_COMPLEX_CASE},
       absl::CivilDay(2024, 7, 18)},
      {"complaint in a remote area: 45 days",
       v1::LEGAL_KIND_COMPLAINT,
       june3,
       {v1::EXTENSION_BASIS_REMOTE_AREA},
       absl::CivilDay(2024, 7, 18)},
      {"complex complaint in a remote area: 60 days",
       v1::LEGAL_KIND_COMPLAINT,
       june3,
       {v1::EXTENSION_BASIS_REMOTE_AREA, v1::EXTENSION_BASIS_COMPLEX_CASE},
       absl::CivilDay(2024, 8, 2)},
  };
  for (const LegalCase& c : cases) {
    EXPECT_EQ(LegalDeadline(c.kind, c.received, c.bases), c.deadline) << c.what;
  }
}

struct ExtensionCase {
  const char* what;
  v1::LegalKind kind;
  std::vector<ExtensionBasis> granted;
  ExtensionBasis basis;
  absl::StatusCode code;
};

TEST(CheckExtension, AllowsEachBasisOnlyWhereAndWhenTheLawDoes) {
  using enum absl::StatusCode;
  const std::vector<ExtensionCase> cases = {
      {"complex denunciation",
       v1::LEGAL_KIND_DENUNCIATION,
       {},
       v1::EXTENSION_BASIS_COMPLEX_CASE,
       kOk},
      {"complex complaint", v1::LEGAL_KIND_COMPLAINT, {}, v1::EXTENSION_BASIS_COMPLEX_CASE, kOk},
      {"complex twice",
       v1::LEGAL_KIND_DENUNCIATION,
       {v1::EXTENSION_BASIS_COMPLEX_CASE},
       v1::EXTENSION_BASIS_COMPLEX_CASE,
       kFailedPrecondition},
      {"remote complaint", v1::LEGAL_KIND_COMPLAINT, {}, v1::EXTENSION_BASIS_REMOTE_AREA, kOk},
      {"remote denunciation",
       v1::LEGAL_KIND_DENUNCIATION,
       {},
       v1::EXTENSION_BASIS_REMOTE_AREA,
       kFailedPrecondition},
      {"procuracy after complex",
       v1::LEGAL_KIND_CRIME_REPORT,
       {v1::EXTENSION_BASIS_COMPLEX_CASE},
       v1::EXTENSION_BASIS_PROCURACY_EXTENSION,
       kOk},
      {"procuracy before complex",
       v1::LEGAL_KIND_CRIME_REPORT,
       {},
       v1::EXTENSION_BASIS_PROCURACY_EXTENSION,
       kFailedPrecondition},
      {"procuracy twice",
       v1::LEGAL_KIND_DENUNCIATION,
       {v1::EXTENSION_BASIS_COMPLEX_CASE, v1::EXTENSION_BASIS_PROCURACY_EXTENSION},
       v1::EXTENSION_BASIS_PROCURACY_EXTENSION,
       kFailedPrecondition},
      {"procuracy on a complaint",
       v1::LEGAL_KIND_COMPLAINT,
       {v1::EXTENSION_BASIS_COMPLEX_CASE},
       v1::EXTENSION_BASIS_PROCURACY_EXTENSION,
       kFailedPrecondition},
      {"no basis", v1::LEGAL_KIND_COMPLAINT, {}, v1::EXTENSION_BASIS_UNSPECIFIED, kInvalidArgument},
  };
  for (const ExtensionCase& c : cases) {
    EXPECT_EQ(CheckExtension(c.kind, c.granted, c.basis).code(), c.code) << c.what;
  }
}

struct StageCase {
  const char* what;
  v1::TipState state;
  v1::Category category;
  std::optional<absl::CivilDay> deadline;
};

TEST(StageDeadline, IsShorterForChildrenAndTraffickingAndNeverPastTheLegalDeadline) {
  const absl::CivilDay entered(2024, 6, 3);
  const absl::CivilDay legal(2024, 6, 23);
  const std::vector<StageCase> cases = {
      {"verify in 3 days", v1::TIP_STATE_RECEIVED, v1::CATEGORY_ESTABLISHMENT,
       absl::CivilDay(2024, 6, 6)},
      {"verify a child case in 1 day", v1::TIP_STATE_RECEIVED,
       v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION, absl::CivilDay(2024, 6, 4)},
      {"verify trafficking in 1 day", v1::TIP_STATE_RECEIVED, v1::CATEGORY_TRAFFICKING,
       absl::CivilDay(2024, 6, 4)},
      {"classify in 2 days", v1::TIP_STATE_VERIFIED, v1::CATEGORY_PUBLIC_PLACE,
       absl::CivilDay(2024, 6, 5)},
      {"assign in 2 days", v1::TIP_STATE_CLASSIFIED, v1::CATEGORY_OTHER,
       absl::CivilDay(2024, 6, 5)},
      {"answer a transfer in 3 days", v1::TIP_STATE_TRANSFER_PENDING, v1::CATEGORY_OTHER,
       absl::CivilDay(2024, 6, 6)},
      {"settle by the legal deadline", v1::TIP_STATE_ASSIGNED, v1::CATEGORY_OTHER, legal},
      {"no clock once resolved", v1::TIP_STATE_RESOLVED, v1::CATEGORY_OTHER, std::nullopt},
      {"no clock once a duplicate", v1::TIP_STATE_DUPLICATE, v1::CATEGORY_OTHER, std::nullopt},
  };
  for (const StageCase& c : cases) {
    EXPECT_EQ(StageDeadline(c.state, c.category, entered, legal), c.deadline) << c.what;
  }
  EXPECT_EQ(
      StageDeadline(v1::TIP_STATE_RECEIVED, v1::CATEGORY_OTHER, absl::CivilDay(2024, 6, 22), legal),
      legal);
}

TEST(OnTime, CountsTheLastDayAsOnTime) {
  EXPECT_TRUE(OnTime(absl::CivilDay(2024, 6, 23), absl::CivilDay(2024, 6, 23)));
  EXPECT_FALSE(OnTime(absl::CivilDay(2024, 6, 24), absl::CivilDay(2024, 6, 23)));
}

TEST(VietnamDay, PutsLateEveningUtcOnTheNextDay) {
  // 17:30 UTC on 23 June is 00:30 on 24 June in Hà Nội.
  EXPECT_EQ(
      VietnamDay(absl::FromCivil(absl::CivilSecond(2024, 6, 23, 17, 30, 0), absl::UTCTimeZone())),
      absl::CivilDay(2024, 6, 24));
  EXPECT_EQ(IsoDate(absl::CivilDay(2024, 6, 4)), "2024-06-04");
}

}  // namespace
}  // namespace pcmd::intake
