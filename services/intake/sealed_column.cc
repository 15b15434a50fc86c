#include "services/intake/sealed_column.h"

#include <variant>

#include "common/log/log.h"

namespace pcmd::intake {

storage::Value SealOrNull(const crypto::FieldCipher& cipher, absl::string_view plaintext,
                          const Where& where) {
  if (plaintext.empty()) return std::monostate();
  return storage::Blob{cipher.Seal(plaintext, where.Context())};
}

absl::StatusOr<std::string> OpenColumn(const crypto::FieldCipher& cipher, const storage::Row& row,
                                       int col, const Where& where) {
  if (row.IsNull(col)) return std::string();
  const std::string sealed = row.Text(col);
  absl::StatusOr<std::string> opened = cipher.Open(sealed, where.Context());
  if (opened.ok()) return opened;
  log::Error("sealed_field_unreadable",
             {{"record", where.record},
              {"field", where.field},
              {"key_version", crypto::FieldCipher::VersionOf(sealed)},
              {"code", absl::StatusCodeToString(opened.status().code())}});
  return absl::InternalError(
      absl::StrCat(where.record,
                   " cannot be read: a stored value is damaged or sealed under a key this "
                   "service does not hold (logged as sealed_field_unreadable)"));
}

absl::Status UnreadableMessage(const Where& where) {
  log::Error("sealed_field_unreadable",
             {{"record", where.record}, {"field", where.field}, {"code", "not a message"}});
  return absl::InternalError(absl::StrCat(where.record,
                                          " cannot be read: a stored value is damaged (logged as "
                                          "sealed_field_unreadable)"));
}

}  // namespace pcmd::intake
