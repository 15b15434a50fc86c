#include "common/status/status.h"

#include "absl/status/statusor.h"
#include "common/status/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pcmd {
namespace {

using ::testing::ElementsAre;

class EveryStatusCode : public ::testing::TestWithParam<int> {};

TEST_P(EveryStatusCode, SurvivesTheRoundTripThroughGrpcUnchanged) {
  const auto code = static_cast<absl::StatusCode>(GetParam());
  const absl::Status original(code, code == absl::StatusCode::kOk ? "" : "thông điệp lỗi");
  const grpc::Status wire = ToGrpcStatus(original);
  EXPECT_EQ(static_cast<int>(wire.error_code()), GetParam());
  const absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.code(), code);
  EXPECT_EQ(back.message(), original.message());
}

INSTANTIATE_TEST_SUITE_P(AllSeventeen, EveryStatusCode, ::testing::Range(0, 17));

TEST(StatusConversion, KeepsFieldViolationsAcrossTheWire) {
  const absl::Status original = InvalidArgumentWithFields(
      "bad tip", {{"unit_code", "must not be empty"}, {"channel", "unknown value 99"}});
  const grpc::Status wire = ToGrpcStatus(original);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(wire.error_details().empty());
  const absl::Status back = FromGrpcStatus(wire);
  EXPECT_THAT(FieldViolationsOf(back), ElementsAre(FieldViolation{"unit_code", "must not be empty"},
                                                   FieldViolation{"channel", "unknown value 99"}));
}

TEST(StatusWithFields, KeepsItsCodeAndNamesTheFields) {
  const absl::Status s =
      StatusWithFields(absl::StatusCode::kNotFound, "no such unit", {{"parent_code", "unknown"}});
  const absl::Status back = FromGrpcStatus(ToGrpcStatus(s));
  EXPECT_EQ(back.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(FieldViolationsOf(back), ElementsAre(FieldViolation{"parent_code", "unknown"}));
}

TEST(StatusConversion, MapsAnOutOfRangeCodeFromAPeerToUnknown) {
  // 20 is no canonical code yet lies within the enum's value range (0-31), so building
  // it is defined behaviour, as a peer's future code would be.
  const grpc::Status odd(static_cast<grpc::StatusCode>(20), "odd");
  EXPECT_EQ(FromGrpcStatus(odd).code(), absl::StatusCode::kUnknown);
}

TEST(StatusConversion, IgnoresDetailsThatAreNotAStatusMessage) {
  const grpc::Status garbage(grpc::StatusCode::NOT_FOUND, "gone", "\xff\xff\xff");
  const absl::Status back = FromGrpcStatus(garbage);
  EXPECT_EQ(back.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(FieldViolationsOf(back).empty());
}

TEST(FieldViolationsOf, ReturnsNothingForAStatusWithoutThem) {
  EXPECT_TRUE(FieldViolationsOf(absl::NotFoundError("x")).empty());
}

absl::Status FailWhen(bool fail) {
  return fail ? absl::FailedPreconditionError("state is RESOLVED") : absl::OkStatus();
}

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return absl::InvalidArgumentError("odd");
  return n / 2;
}

absl::StatusOr<int> Quarter(int n) {
  PCMD_ASSIGN_OR_RETURN(int half, Half(n));
  PCMD_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status Chain(bool fail, int* steps) {
  PCMD_RETURN_IF_ERROR(FailWhen(false));
  ++*steps;
  PCMD_RETURN_IF_ERROR(FailWhen(fail));
  ++*steps;
  return absl::OkStatus();
}

TEST(StatusMacros, ReturnIfErrorStopsAtTheFirstError) {
  int steps = 0;
  EXPECT_EQ(Chain(true, &steps).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(steps, 1);
  steps = 0;
  EXPECT_TRUE(Chain(false, &steps).ok());
  EXPECT_EQ(steps, 2);
}

TEST(StatusMacros, AssignOrReturnPassesValuesAndErrorsThrough) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Quarter(3).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pcmd
