// For intake tests (namespace sample): a tip request that fills every personal field with
// Vietnamese text, and the plaintext values a leak test looks for.
#ifndef PCMD_SERVICES_INTAKE_TIPS_TESTING_H_
#define PCMD_SERVICES_INTAKE_TIPS_TESTING_H_

#include <string>
#include <utility>
#include <vector>

#include "common/security/identity.h"
#include "pcmd/intake/v1/intake.pb.h"

namespace pcmd::intake::sample {

inline constexpr char kDescription[] =
    "Quán karaoke Hoàng Gia có nhân viên nữ 16 tuổi bị ép tiếp khách.\n"
    "Khách thường đến sau 22 giờ, chủ quán đứng ra thu tiền.";
inline constexpr char kAddress[] = "Số 12 ngõ 34 phố Hàng Bạc, quận Hoàn Kiếm";
inline constexpr double kLatitude = 21.034137;
inline constexpr double kLongitude = 105.851624;
inline constexpr char kOrganiserName[] = "Nguyễn Văn Hùng";
inline constexpr char kOrganiserBirthDate[] = "1979-11-02";
inline constexpr char kOrganiserIdNumber[] = "001079012345";
inline constexpr char kOrganiserPhone[] = "0912 345 678";
inline constexpr char kOrganiserDescription[] = "Chủ quán, hay đi xe Lexus màu đen";
inline constexpr char kMinorName[] = "Trần Thị Ánh Tuyết";
inline constexpr char kMinorBirthDate[] = "2008-03-15";
inline constexpr char kMinorDescription[] = "Quê ở Hà Giang, mới xuống Hà Nội được hai tháng";
inline constexpr char kBrokerName[] = "Lê Hoàng Phúc";
inline constexpr char kBrokerIdNumber[] = "038095001234";
inline constexpr char kBrokerPhone[] = "+84 98 765 4321";
inline constexpr char kReporterName[] = "Phạm Thị Hồng Nhung";
inline constexpr char kReporterPhone[] = "0987.654.321";
inline constexpr char kReporterIdNumber[] = "001190054321";
inline constexpr char kReporterAddress[] = "Số 5 phố Đinh Tiên Hoàng, phường Hàng Trống";
inline constexpr char kReporterEmail[] = "nhung.pham@example.vn";
inline constexpr char kReason[] =
    "Cần lấy lời khai người tố giác về nhân viên chưa thành niên, vụ việc 123/CSHS";
inline constexpr char kPhotoSha256[] =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// The agency that receives tips in tests: the national police department for
// social-order crime, its officer stating why.
inline security::Caller Receiver() {
  return {.agency = {.kind = security::AgencyKind::kPolice, .unit_code = "VN", .code = "C06"},
          .end_user = "officer-7",
          .purpose = "tip-handling"};
}

// The units the samples name, as plans' UnitCreated events record them (code, parent):
// Hà Nội (01) with Ba Đình (001), Thanh Trì (020) and its Văn Điển (09964), and 268;
// Hưng Yên (33) with its city (323).
inline std::vector<std::pair<std::string, std::string>> Units() {
  return {{"01", "VN"},  {"33", "VN"},     {"001", "01"}, {"020", "01"},
          {"268", "01"}, {"09964", "020"}, {"323", "33"}};
}

// Every text value above that is personal data; none may be stored in plaintext.
inline std::vector<std::string> PersonalValues() {
  return {kDescription,
          kAddress,
          kOrganiserName,
          kOrganiserBirthDate,
          kOrganiserIdNumber,
          kOrganiserPhone,
          kOrganiserDescription,
          kMinorName,
          kMinorBirthDate,
          kMinorDescription,
          kBrokerName,
          kBrokerIdNumber,
          kBrokerPhone,
          kReporterName,
          kReporterPhone,
          kReporterIdNumber,
          kReporterAddress,
          kReporterEmail,
          kReason};
}

// The smallest valid request: a hotline denunciation about an establishment in unit
// 268, with no personal data.
inline v1::SubmitTipRequest MinimalRequest(const std::string& request_id) {
  v1::SubmitTipRequest r;
  r.set_request_id(request_id);
  r.set_channel(v1::CHANNEL_HOTLINE);
  r.set_legal_kind(v1::LEGAL_KIND_DENUNCIATION);
  r.set_category(v1::CATEGORY_ESTABLISHMENT);
  r.set_unit_code("268");
  return r;
}

// A valid request with a place, three persons (one without an ID number), a photo and
// a reporter.
inline v1::SubmitTipRequest FullRequest(const std::string& request_id) {
  v1::SubmitTipRequest r = MinimalRequest(request_id);
  r.set_category(v1::CATEGORY_CHILD_SEXUAL_EXPLOITATION);
  r.set_description(kDescription);
  r.mutable_place()->set_address(kAddress);
  r.mutable_place()->mutable_coordinates()->set_latitude(kLatitude);
  r.mutable_place()->mutable_coordinates()->set_longitude(kLongitude);
  v1::NamedPerson* organiser = r.add_persons();
  organiser->set_role(v1::PERSON_ROLE_ORGANISER);
  organiser->set_full_name(kOrganiserName);
  organiser->set_birth_date(kOrganiserBirthDate);
  organiser->set_id_number(kOrganiserIdNumber);
  organiser->set_phone(kOrganiserPhone);
  organiser->set_description(kOrganiserDescription);
  v1::NamedPerson* minor = r.add_persons();
  minor->set_role(v1::PERSON_ROLE_MINOR);
  minor->set_full_name(kMinorName);
  minor->set_birth_date(kMinorBirthDate);
  minor->set_description(kMinorDescription);
  v1::NamedPerson* broker = r.add_persons();
  broker->set_role(v1::PERSON_ROLE_BROKER);
  broker->set_full_name(kBrokerName);
  broker->set_id_number(kBrokerIdNumber);
  broker->set_phone(kBrokerPhone);
  v1::Attachment* photo = r.add_attachments();
  photo->set_sha256(kPhotoSha256);
  photo->set_media_type("image/jpeg");
  v1::Reporter* reporter = r.mutable_reporter();
  reporter->set_full_name(kReporterName);
  reporter->set_phone(kReporterPhone);
  reporter->set_id_number(kReporterIdNumber);
  reporter->set_address(kReporterAddress);
  reporter->set_email(kReporterEmail);
  return r;
}

}  // namespace pcmd::intake::sample

#endif  // PCMD_SERVICES_INTAKE_TIPS_TESTING_H_
